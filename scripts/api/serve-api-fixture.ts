/**
 * Serves the API on a fresh DuckDB file seeded with the API fixture and an admin key, for tools that
 * need a live server (schemathesis). Writes `{ "baseUrl", "key" }` to --ready-file once listening,
 * and runs until SIGTERM/SIGINT, then removes the database.
 *
 * Run: node bin/run-ts.mjs scripts/api/serve-api-fixture.ts --ready-file /tmp/api.json [--port 0]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildApp } from '../../api/build-app.ts';
import { createRiskSnapshotHolder } from '../../api/risk-snapshot-holder.ts';
import { createJobScheduler } from '../../jobs/job-scheduler.ts';
import { trainingControlOf, trainJob } from '../../jobs/risk/train-job.ts';
import { configWith } from '../../config/load-config.ts';
import { openDatabase } from '../../store/open-database.ts';
import { fixtureSnapshots, insertFixtures } from './api-fixtures.ts';

const { values } = parseArgs({ options: { 'ready-file': { type: 'string' }, port: { type: 'string', default: '0' }, 'log-level': { type: 'string', default: 'warn' } } });
if (values['ready-file'] === undefined) throw new TypeError('--ready-file PATH is required');
const directory = mkdtempSync(join(tmpdir(), 'retour-api-fixture-'));
const database = await openDatabase({ path: join(directory, 'retour.duckdb') });
const logger = pino({ level: values['log-level'] }, pino.destination(2));
try {
  const connection = await database.connect();
  await insertFixtures(connection);
  // A real train job, run only when asked (POST /v1/models/train), as `retour serve` runs it: on the
  // fixture's few customers it is recorded as skipped (too little history), never a server error.
  const trainingConnection = await database.connect();
  const training = createJobScheduler({
    jobs: [trainJob],
    intervalSeconds: {},
    logger,
    contextFor: async () => ({ connection: trainingConnection, config: configWith({}), logger, now: new Date(), fullRebuild: false }),
  });
  training.start();
  const app = await buildApp({
    logger,
    connection,
    schemaVersion: database.schemaVersion,
    ingestState: () => ({ state: 'fixture', ready: true }),
    config: { rateLimitPerMinute: 1_000_000, topicDecisions: 'retour.decisions', riskReviewThreshold: 0.5, riskHighThreshold: 0.8, riskNoReceiptDays: 14, returnWindowDays: 30, returnWindowByCategory: {}, riskHighValue: 20_000, riskHighValueByCurrency: {}, trainMinTrainingPositives: 40, trainMinValidationPositives: 50 },
    riskSnapshots: createRiskSnapshotHolder(fixtureSnapshots()),
    // The fixture's risk snapshots are synthetic: after a promotion there is no risk run to bring forward.
    modelTraining: trainingControlOf(training, () => undefined),
  });
  const { key } = await app.retour.keyring.create({ role: 'admin', name: 'schemathesis' });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: Number(values.port) });
  writeFileSync(values['ready-file'], JSON.stringify({ baseUrl, key }));
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await app.close();
  await training.stop();
} finally {
  database.close();
  rmSync(directory, { recursive: true, force: true });
}
