/**
 * Migration 016 starts the promotion history with the one decision each model kept in its metrics,
 * so that a database registered before it does not show an empty history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../../store/migrate.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';
import { listPromotionHistory } from '../../../store/risk/model-registry.ts';

let database: Database | undefined;
afterEach(() => database?.close());

describe('migration 016 (model_promotions)', () => {
  it('copies each model’s recorded decision, with what it compared, and nothing for a model never decided', async () => {
    database = await openDatabase({ path: ':memory:', migrate: false });
    const connection = await database.connect();
    await migrate(connection, listMigrations().filter((migration) => [1, 4].includes(migration.version)));
    const metrics = (promotion: object | undefined, comparedWith?: string): string =>
      JSON.stringify({
        roc_auc: 0.9, pr_auc: 0.6, ...(comparedWith === undefined ? {} : { serving_comparison: { version: comparedWith, roc_auc: 0.85, pr_auc: 0.5 } }),
        ...(promotion === undefined ? {} : { promotion }),
      });
    const insert = (version: string, createdAt: string, metricsJson: string, status: string, promotedAt: string | null) =>
      connection.run(
        `INSERT INTO model_registry VALUES ($version, $createdAt::TIMESTAMPTZ, 'histogram_random_forest', '[]', '{}', '2026-03-01T00:00:00Z', '2026-07-01T00:00:00Z',
          '2026-09-01T00:00:00Z', '2026-10-27T00:00:00Z', $metrics, $status, '{"kind":"fixture"}', $promotedAt::TIMESTAMPTZ)`,
        { version, createdAt, metrics: metricsJson, status, promotedAt },
      );
    await insert('m-0', '2026-11-10T03:00:00Z', metrics({ promote: true, reason: 'no model in service' }), 'retired', '2026-11-10T03:00:00Z');
    await insert('m-1', '2026-11-17T03:00:00Z', metrics({ promote: true, reason: 'forced by an operator: PR-AUC …' }, 'm-0'), 'serving', '2026-11-18T09:00:00Z');
    await insert('m-2', '2026-11-19T03:00:00Z', metrics({ promote: false, reason: 'PR-AUC 0.5 is below …' }, 'm-1'), 'candidate', null);
    await insert('m-3', '2026-11-20T03:00:00Z', metrics(undefined), 'candidate', null);
    await migrate(connection, listMigrations().filter((migration) => [1, 4, 16].includes(migration.version)));

    const history = await listPromotionHistory(connection);
    expect(history.map(({ version, promoted, forced, source, reason }) => ({ version, promoted, forced, source, reason }))).toEqual([
      { version: 'm-0', promoted: true, forced: false, source: 'before-016', reason: 'no model in service' },
      { version: 'm-1', promoted: true, forced: true, source: 'before-016', reason: 'forced by an operator: PR-AUC …' },
      { version: 'm-2', promoted: false, forced: false, source: 'before-016', reason: 'PR-AUC 0.5 is below …' },
    ]);
    expect(history[1]).toMatchObject({ decidedAt: expect.stringMatching(/^2026-11-18 09:00:00/) as unknown, compared: { candidate: { prAuc: 0.6, rocAuc: 0.9 }, serving: { version: 'm-0', prAuc: 0.5, rocAuc: 0.85 } } });
    expect(history[0]!.compared.serving).toBeNull();
  });
});
