import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { configWith } from '../../../config/load-config.ts';
import { PRODUCT_FAULT_REASONS } from '../../../domain/events/vocabulary.ts';
import { generateQualityBenchFacts } from '../../../store/quality/generate-quality-bench-facts.ts';
import { prepareQualityRun } from '../../../store/quality/refresh-quality-cohorts.ts';
import type { QualityRunSettings } from '../../../store/quality/quality-run-settings.ts';
import { listMigrations, migrate } from '../../../store/migrate.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';
import { openQualityTestDatabase, readRows, runQuality } from '../../jobs/quality/quality-fixtures.ts';
import { previousQualityRebuild } from './previous-quality-rebuild.ts';

const databases: Database[] = [];
afterEach(() => {
  for (const database of databases.splice(0)) database.close();
});

/**
 * Synthetic facts of every shape the cohort SQL handles: the benchmark's generator (whole-order and
 * line deliveries, all reasons, inspections), plus repeated return requests beyond a line's quantity,
 * a line delivered a day before its order's whole-order delivery, later duplicate deliveries, lines
 * never delivered, lines without a seller, products sold in two categories and re-inspections that
 * change the fault. Deterministic (hash-based), so both databases get the same facts.
 */
async function insertFacts(connection: DuckDBConnection): Promise<void> {
  await generateQualityBenchFacts(connection, { orderLines: 6000, products: 150, days: 70, startDate: '2026-01-05T00:00:00Z' });
  await connection.run(
    `INSERT INTO return_lines SELECT 'again' || return_id, order_id, customer_id, line_id, product_id, 2, 'quality.defective', NULL, requested_at + INTERVAL 3 DAY, 'extra'
     FROM return_lines WHERE hash(return_id, 'again') % 7 = 0`,
  );
  await connection.run(
    `INSERT INTO deliveries SELECT order_id, customer_id, 'l0', delivered_at - INTERVAL 1 DAY, 'extra' FROM deliveries WHERE line_id IS NULL AND hash(order_id, 'early') % 9 = 0
     UNION ALL
     SELECT order_id, customer_id, line_id, delivered_at + INTERVAL 2 DAY, 'extra' FROM deliveries WHERE hash(order_id, 'late') % 11 = 0`,
  );
  await connection.run(`DELETE FROM deliveries WHERE hash(order_id, 'lost') % 23 = 0`);
  await connection.run(`UPDATE order_lines SET seller_id = NULL WHERE hash(order_id, 'seller') % 13 = 0`);
  await connection.run(`UPDATE order_lines SET category = 'toys' WHERE hash(order_id, 'category') % 17 = 0`);
  await connection.run(
    `INSERT INTO inspections SELECT return_id, line_id, inspected_at + INTERVAL 1 DAY, condition, CASE WHEN fault = 'manufacturing' THEN 'none_found' ELSE 'manufacturing' END, disposition, 'extra'
     FROM inspections WHERE hash(return_id, 'reinspected') % 5 = 0`,
  );
}

const TABLES = [
  'SELECT * FROM quality_cohort_base ORDER BY ALL',
  'SELECT * FROM quality_weekly ORDER BY scope, scope_id, period_start',
  'SELECT * FROM quality_daily ORDER BY scope, scope_id, period_start',
];

describe('refreshQualityBase + refreshQualityPeriods (full rebuild)', () => {
  it.each([
    { now: '2026-02-20T06:00:00Z', config: {} },
    { now: '2026-04-20T00:00:00Z', config: { RETOUR_RETURN_WINDOW_BY_CATEGORY: 'apparel=21,toys=45', RETOUR_QUALITY_WITHIN_DAYS: '10' } },
  ])('gives exactly the tables of the previous implementation (now $now)', async ({ now, config }) => {
    const previous = await openDatabase({ path: ':memory:', migrate: false });
    databases.push(previous);
    const old = await previous.connect();
    await migrate(old, listMigrations().filter((migration) => migration.version === 1 || migration.version === 3));
    const { database, connection } = await openQualityTestDatabase();
    databases.push(database);
    await insertFacts(old);
    await insertFacts(connection);

    const parsed = configWith(config);
    const settings: QualityRunSettings = {
      now: new Date(now),
      withinDays: parsed.qualityWithinDays,
      detectionDays: parsed.qualityDetectionDays,
      defaultWindowDays: parsed.returnWindowDays,
      windowByCategory: parsed.returnWindowByCategory,
      productFaultReasons: PRODUCT_FAULT_REASONS,
    };
    await prepareQualityRun(old, settings);
    await previousQualityRebuild(old, settings);
    await runQuality(connection, { now, config, fullRebuild: true });

    for (const sql of TABLES) expect(await readRows(connection, sql), sql).toEqual(await readRows(old, sql));
    // the comparison covers what it should: capped repeated returns, several categories per product,
    // lines without a seller, immature and mature day rows
    const [shape] = await readRows(
      connection,
      `SELECT (SELECT count(*) FROM quality_daily WHERE scope = 'product') AS product_days,
              (SELECT count(*) FROM (SELECT product_id, day FROM quality_cohort_base GROUP BY ALL HAVING count(*) > 1)) AS split_cohorts,
              (SELECT count(*) FROM quality_cohort_base WHERE seller_id IS NULL) AS without_seller,
              (SELECT count(DISTINCT mature) FROM quality_daily WHERE scope = 'product') AS maturity_states,
              (SELECT sum(returned_units) < sum(${'reason_fit_too_small + reason_fit_too_large + reason_preference_style + reason_preference_changed_mind + reason_preference_better_price + reason_preference_ordered_by_mistake + reason_description_not_as_described + reason_quality_defective + reason_quality_poor_quality + reason_quality_missing_parts + reason_logistics_arrived_damaged + reason_logistics_wrong_item_sent + reason_logistics_arrived_late + reason_other'}) FROM quality_cohort_base) AS capped`,
    );
    expect(Number(shape!['product_days'])).toBeGreaterThan(1000);
    expect(Number(shape!['split_cohorts'])).toBeGreaterThan(10);
    expect(Number(shape!['without_seller'])).toBeGreaterThan(10);
    expect(shape!['capped']).toBe(true);
    if (now.startsWith('2026-02')) expect(Number(shape!['maturity_states'])).toBe(2);
  }, 60_000);
});
