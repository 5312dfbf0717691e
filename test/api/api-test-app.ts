/**
 * Builds the API on an in-memory DuckDB with every migration, one key per role and a small fixture:
 * flags, scores, links, facts, quality rows and job runs. Tests close it with `close()`.
 */
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import type { DuckDBConnection } from '@duckdb/node-api';
import { buildApp, type AppDependencies } from '../../api/build-app.ts';
import { createRiskSnapshotHolder } from '../../api/risk-snapshot-holder.ts';
import { API_ROLES, type ApiRole } from '../../domain/api-roles.ts';
import { FIXTURE_NOW, fixtureSnapshots, insertFixtures } from '../../scripts/api/api-fixtures.ts';
import { recordJobStart } from '../../store/job-runs.ts';
import { openDatabase, type Database } from '../../store/open-database.ts';

export { FIXTURE_NOW, insertFixtures, snapshot } from '../../scripts/api/api-fixtures.ts';

export interface TestApi {
  app: FastifyInstance;
  connection: DuckDBConnection;
  database: Database;
  keys: Record<ApiRole, string>;
  close(): Promise<void>;
}

/** The API settings of the test apps (the defaults of config/, with a rate limit no test reaches unless it asks). */
export const TEST_APP_CONFIG: AppDependencies['config'] = {
  rateLimitPerMinute: 100_000,
  topicDecisions: 'retour.decisions',
  riskReviewThreshold: 0.5,
  riskHighThreshold: 0.8,
  riskNoReceiptDays: 14,
  returnWindowDays: 30,
  returnWindowByCategory: {},
  riskHighValue: 20_000,
  riskHighValueByCurrency: {},
  trainMinTrainingPositives: 40,
  trainMinValidationPositives: 50,
};

export async function createTestApi(options: { rateLimitPerMinute?: number; config?: Partial<AppDependencies['config']>; dependencies?: Partial<AppDependencies>; path?: string } = {}): Promise<TestApi> {
  const database = await openDatabase({ path: options.path ?? ':memory:' });
  const connection = await database.connect();
  await insertFixtures(connection);
  const riskSnapshots = createRiskSnapshotHolder(fixtureSnapshots());
  const app = await buildApp({
    logger: pino({ level: 'silent' }),
    connection,
    schemaVersion: database.schemaVersion,
    ingestState: () => ({ state: 'live', ready: true }),
    config: { ...TEST_APP_CONFIG, rateLimitPerMinute: options.rateLimitPerMinute ?? TEST_APP_CONFIG.rateLimitPerMinute, ...options.config },
    riskSnapshots,
    now: () => FIXTURE_NOW,
    // A training "run" is a job_runs row: the scheduler behind it is tested in test/jobs.
    modelTraining: { start: () => recordJobStart(connection, 'train', FIXTURE_NOW), isRunning: () => false, promoted: () => undefined },
    ...options.dependencies,
  });
  const keys = {} as Record<ApiRole, string>;
  for (const role of API_ROLES) keys[role] = (await app.retour.keyring.create({ role, name: `${role}-tester` })).key;
  await app.ready();
  return {
    app,
    connection,
    database,
    keys,
    async close() {
      await app.close();
      database.close();
    },
  };
}
