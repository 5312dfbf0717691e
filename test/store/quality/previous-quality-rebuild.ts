import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlLiteral, type QualityRunSettings } from '../../../store/quality/quality-run-settings.ts';
import { REASON_COLUMNS } from '../../../store/quality/reason-columns.ts';

/**
 * The full rebuild of quality_cohort_base, quality_weekly_counts and quality_daily_counts as it was
 * before the rebuild was restructured for speed (commit 6a7cb5f, store/quality/refresh-quality-cohorts.ts
 * and refresh-quality-periods.ts, incremental branches removed): a reference the new SQL must match
 * row for row. It writes the daily product rows to quality_daily_counts, so it runs on a database
 * without migration 008. Call prepareQualityRun first; maturity is set as each row is written.
 */
export async function previousQualityRebuild(connection: DuckDBConnection, settings: QualityRunSettings): Promise<void> {
  await previousQualityBase(connection, settings);
  for (const grain of ['weekly', 'daily'] as const) {
    await connection.run(`DELETE FROM ${PERIOD[grain].table}`);
    for (const scope of ['product', 'category', 'seller'] as const) await insertPeriodRows(connection, settings, { scope, grain });
  }
}

async function previousQualityBase(connection: DuckDBConnection, settings: QualityRunSettings): Promise<void> {
  const parameters = {
    now: settings.now.toISOString(),
    defaultWindow: settings.defaultWindowDays,
    withinDays: settings.withinDays,
    detectionDays: settings.detectionDays,
  };
  await connection.run('DELETE FROM quality_cohort_base');
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE q_line_cohorts AS
     WITH candidate AS (
       SELECT ol.order_id, ol.line_id, ol.product_id, ol.category, ol.seller_id, ol.quantity FROM order_lines ol
     ),
     first_delivery AS (
       SELECT order_id, line_id, min(delivered_at) AS delivered_at FROM (
         SELECT d.order_id, d.line_id, d.delivered_at FROM deliveries d
         WHERE d.line_id IS NOT NULL AND d.delivered_at <= $now::TIMESTAMPTZ
         UNION ALL
         -- a whole-order delivery (line_id NULL) delivers every line of the order
         SELECT c.order_id, c.line_id, d.delivered_at FROM candidate c JOIN deliveries d ON d.order_id = c.order_id
         WHERE d.line_id IS NULL AND d.delivered_at <= $now::TIMESTAMPTZ
       ) GROUP BY order_id, line_id
     ),
     lines AS (
       SELECT c.*, f.delivered_at, timezone('UTC', f.delivered_at)::DATE AS day
       FROM candidate c JOIN first_delivery f ON f.order_id = c.order_id AND f.line_id = c.line_id
     )
     SELECT c.order_id, c.line_id, c.product_id, c.category, c.seller_id, c.quantity, c.delivered_at, c.day,
            coalesce(w.days, $defaultWindow)::INTEGER AS window_days
     FROM lines c LEFT JOIN q_windows w ON w.category = c.category`,
    { now: parameters.now, defaultWindow: parameters.defaultWindow },
  );
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE q_return_facts AS
     WITH returned AS (
       SELECT rl.*, lc.product_id AS cohort_product_id, lc.category, lc.seller_id, lc.day, lc.window_days, lc.quantity AS line_quantity, lc.delivered_at
       FROM return_lines rl JOIN q_line_cohorts lc ON lc.order_id = rl.order_id AND lc.line_id = rl.line_id
       WHERE rl.requested_at <= $now::TIMESTAMPTZ
     ),
     latest_inspection AS (
       SELECT return_id, line_id, arg_max(fault, inspected_at) AS fault
       FROM inspections WHERE inspected_at <= $now::TIMESTAMPTZ AND return_id IN (SELECT return_id FROM returned)
       GROUP BY return_id, line_id
     )
     SELECT rl.order_id, rl.line_id, rl.cohort_product_id AS product_id, rl.category, rl.seller_id, rl.day, rl.window_days, rl.line_quantity,
            rl.quantity, rl.reason,
            rl.reason IN (SELECT reason FROM q_fault_reasons) AS product_fault,
            rl.requested_at <= rl.delivered_at + to_days(rl.window_days) AS in_window,
            rl.requested_at <= rl.delivered_at + to_days($withinDays::INTEGER) AS in_n,
            rl.requested_at <= rl.delivered_at + to_days($detectionDays::INTEGER) AS in_detection,
            coalesce(i.fault = 'manufacturing', false) AS confirmed
     FROM returned rl
     LEFT JOIN latest_inspection i ON i.return_id = rl.return_id AND i.line_id = rl.line_id`,
    { now: parameters.now, withinDays: parameters.withinDays, detectionDays: parameters.detectionDays },
  );
  const windowReasons = REASON_COLUMNS.map((column) => `sum(quantity) FILTER (WHERE in_window AND reason = ${sqlLiteral(column.reason)})`).join(', ');
  const detectionReasons = REASON_COLUMNS.map((column) => `sum(quantity) FILTER (WHERE in_detection AND reason = ${sqlLiteral(column.reason)})`).join(', ');
  const nulls = (count: number): string => Array.from({ length: count }, () => 'NULL').join(', ');
  // No joins: delivered units, the per-line capped return counts and the per-reason counts are each
  // summed per cohort, stacked (UNION ALL, NULL where a source has nothing to say) and summed again.
  await connection.run(
    `INSERT INTO quality_cohort_base
     WITH per_line AS (
       -- a line never counts more returned units than it had (repeated return requests)
       SELECT any_value(product_id) AS product_id, any_value(category) AS category, any_value(seller_id) AS seller_id, any_value(day) AS day,
              least(any_value(line_quantity), coalesce(sum(quantity) FILTER (WHERE in_window), 0)) AS returned,
              least(any_value(line_quantity), coalesce(sum(quantity) FILTER (WHERE in_n), 0)) AS returned_n,
              least(any_value(line_quantity), coalesce(sum(quantity) FILTER (WHERE in_detection), 0)) AS returned_detection,
              least(any_value(line_quantity), coalesce(sum(quantity) FILTER (WHERE in_window AND product_fault), 0)) AS fault,
              least(any_value(line_quantity), coalesce(sum(quantity) FILTER (WHERE in_n AND product_fault), 0)) AS fault_n,
              least(any_value(line_quantity), coalesce(sum(quantity) FILTER (WHERE in_detection AND product_fault), 0)) AS fault_detection,
              least(any_value(line_quantity), coalesce(sum(quantity) FILTER (WHERE in_window AND reason = 'quality.defective'), 0)) AS claimed,
              least(any_value(line_quantity), coalesce(sum(quantity) FILTER (WHERE in_window AND confirmed), 0)) AS confirmed
       FROM q_return_facts GROUP BY order_id, line_id
     ),
     stacked AS (
       -- each source is summed per cohort first, so the stack is short and only as wide as needed
       SELECT product_id, category, seller_id, day, max(window_days), sum(quantity), ${nulls(8)}, ${nulls(2 * REASON_COLUMNS.length)}
       FROM q_line_cohorts GROUP BY product_id, category, seller_id, day
       UNION ALL
       SELECT product_id, category, seller_id, day, NULL, NULL,
              sum(returned), sum(returned_n), sum(returned_detection), sum(fault), sum(fault_n), sum(fault_detection), sum(claimed), sum(confirmed),
              ${nulls(2 * REASON_COLUMNS.length)}
       FROM per_line GROUP BY product_id, category, seller_id, day
       UNION ALL
       SELECT product_id, category, seller_id, day, NULL, NULL, ${nulls(8)}, ${windowReasons}, ${detectionReasons}
       FROM q_return_facts GROUP BY product_id, category, seller_id, day
     )
     -- columns by position: #5 window, #6 delivered, #7–#14 the capped return counts, #15… the reasons
     SELECT product_id, category, seller_id, day, max(#5), sum(#6),
            ${Array.from({ length: 8 }, (_, index) => `coalesce(sum(#${7 + index}), 0)`).join(', ')},
            ${Array.from({ length: 2 * REASON_COLUMNS.length }, (_, index) => `coalesce(sum(#${15 + index}), 0)`).join(', ')}
     FROM stacked GROUP BY product_id, category, seller_id, day`,
  );
  await connection.run('DROP TABLE IF EXISTS q_line_cohorts');
  await connection.run('DROP TABLE IF EXISTS q_return_facts');
}

type Scope = 'product' | 'category' | 'seller';
type Grain = 'weekly' | 'daily';

const SCOPE_KEY: Record<Scope, string> = { product: 'product_id', category: 'category', seller: 'seller_id' };
// A product's category and seller on a row: its only one, or — when its lines in the period name
// several — the alphabetically first (cheap and deterministic, so incremental and full runs agree).
const SCOPE_CATEGORY: Record<Scope, string> = { product: 'min(category)', category: 'any_value(category)', seller: 'min(category)' };
const SCOPE_SELLER: Record<Scope, string> = { product: 'min(seller_id)', category: 'NULL', seller: 'any_value(seller_id)' };
const PERIOD: Record<Grain, { start: (day: string) => string; days: number; table: string }> = {
  // date_trunc('week') is the ISO-week Monday
  weekly: { start: (day) => `date_trunc('week', ${day})::DATE`, days: 7, table: 'quality_weekly_counts' },
  daily: { start: (day) => day, days: 1, table: 'quality_daily_counts' },
};

async function insertPeriodRows(
  connection: DuckDBConnection,
  settings: QualityRunSettings,
  options: { scope: Scope; grain: Grain },
): Promise<number> {
  const period = PERIOD[options.grain];
  const key = SCOPE_KEY[options.scope];
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE q_period_sums AS
     WITH b AS (
       SELECT ${key} AS scope_id, ${period.start('day')} AS period_start, * FROM quality_cohort_base WHERE ${key} IS NOT NULL
     )
     SELECT b.scope_id, b.period_start, ${SCOPE_CATEGORY[options.scope]} AS category, ${SCOPE_SELLER[options.scope]} AS seller_id,
            max(return_window_days) AS return_window_days,
            sum(delivered_units) AS delivered, sum(returned_units) AS returned, sum(returned_within_n_units) AS returned_n,
            sum(product_fault_units) AS fault, sum(product_fault_within_n_units) AS fault_n,
            sum(claimed_defect_units) AS claimed, sum(confirmed_defect_units) AS confirmed,
            ${REASON_COLUMNS.map((column) => `sum(${column.window}) AS ${column.window}`).join(', ')}
     FROM b
     GROUP BY b.scope_id, b.period_start
     HAVING sum(delivered_units) > 0`,
  );
  const reader = await connection.runAndReadAll(
    `INSERT INTO ${period.table}
     SELECT '${options.scope}', s.scope_id, s.period_start, s.period_start + ${period.days}, s.category, s.seller_id,
            s.return_window_days, $withinDays::INTEGER, s.delivered, s.returned, s.returned_n, s.fault, s.fault_n, s.claimed, s.confirmed,
            ${REASON_COLUMNS.map((column) => `s.${column.window}`).join(', ')},
            timezone('UTC', $now::TIMESTAMPTZ) >= (s.period_start + ${period.days} + s.return_window_days)::TIMESTAMP,
            timezone('UTC', $now::TIMESTAMPTZ) >= (s.period_start + ${period.days} + $withinDays::INTEGER)::TIMESTAMP,
            $now::TIMESTAMPTZ
     FROM q_period_sums s`,
    { withinDays: settings.withinDays, now: settings.now.toISOString() },
  );
  return reader.rowsChanged;
}
