import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlLiteral, type QualityRunSettings } from './quality-run-settings.ts';
import { REASON_COLUMNS } from './reason-columns.ts';

/**
 * The day-level cohort table quality_cohort_base: which cohorts new facts
 * touched, and their recomputation. Units are attributed to the UTC day of their line's *first*
 * delivery (a line-level delivery, or a whole-order delivery with line_id NULL, whichever is
 * earlier); lines never delivered by `now` have no cohort, and neither do their returns.
 */

export interface TouchedCohortsInput {
  /** Events ingested after this were not seen by the previous run. */
  ingestedAfter: Date;
  /** The previous run's "now": facts dated in (previousAsOf, now] became visible since. */
  previousAsOf: Date;
}

/** Sets up the run's temporary helper tables (return windows per category, product-fault reasons). */
export async function prepareQualityRun(connection: DuckDBConnection, settings: QualityRunSettings): Promise<void> {
  const windows = Object.entries(settings.windowByCategory);
  await connection.run('CREATE OR REPLACE TEMP TABLE q_windows (category VARCHAR, days INTEGER)');
  if (windows.length > 0) {
    await connection.run(`INSERT INTO q_windows VALUES ${windows.map(([category, days]) => `(${sqlLiteral(category)}, ${Math.trunc(days)})`).join(', ')}`);
  }
  await connection.run('CREATE OR REPLACE TEMP TABLE q_fault_reasons (reason VARCHAR)');
  if (settings.productFaultReasons.length > 0) {
    await connection.run(`INSERT INTO q_fault_reasons VALUES ${settings.productFaultReasons.map((reason) => `(${sqlLiteral(reason)})`).join(', ')}`);
  }
}

/**
 * Fills q_touched_product_days with every (product, delivery day) cohort whose content may differ
 * from what the previous run computed: cohorts of lines touched by newly ingested facts or by facts
 * that became visible as time passed, both where the line was counted before and where it counts now
 * (an earlier delivery arriving late moves a line to another day). Returns the number of cohorts.
 */
export async function collectTouchedCohorts(connection: DuckDBConnection, settings: QualityRunSettings, input: TouchedCohortsInput): Promise<number> {
  const parameters = { since: input.ingestedAfter.toISOString(), previousAsOf: input.previousAsOf.toISOString(), now: settings.now.toISOString() };
  await connection.run('CREATE OR REPLACE TEMP TABLE q_new_events AS SELECT event_id FROM events WHERE ingested_at > $since::TIMESTAMPTZ', { since: parameters.since });
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE q_touched_lines AS
     SELECT DISTINCT order_id, line_id FROM (
       SELECT order_id, line_id FROM order_lines WHERE event_id IN (SELECT event_id FROM q_new_events)
       UNION ALL
       SELECT ol.order_id, ol.line_id
       FROM deliveries d JOIN order_lines ol ON ol.order_id = d.order_id AND (d.line_id IS NULL OR d.line_id = ol.line_id)
       WHERE d.event_id IN (SELECT event_id FROM q_new_events)
          OR (d.delivered_at > $previousAsOf::TIMESTAMPTZ AND d.delivered_at <= $now::TIMESTAMPTZ)
       UNION ALL
       SELECT order_id, line_id FROM return_lines
       WHERE event_id IN (SELECT event_id FROM q_new_events)
          OR (requested_at > $previousAsOf::TIMESTAMPTZ AND requested_at <= $now::TIMESTAMPTZ)
       UNION ALL
       SELECT rl.order_id, rl.line_id
       FROM inspections i JOIN return_lines rl ON rl.return_id = i.return_id AND rl.line_id = i.line_id
       WHERE i.event_id IN (SELECT event_id FROM q_new_events)
          OR (i.inspected_at > $previousAsOf::TIMESTAMPTZ AND i.inspected_at <= $now::TIMESTAMPTZ)
     )`,
    { previousAsOf: parameters.previousAsOf, now: parameters.now },
  );
  // A touched line may have been counted on the day of any of its deliveries before (the earliest one
  // the previous run could see) and counts on its earliest delivery now: taking the days of all its
  // deliveries is a small superset that needs no guess about what the previous run saw.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE q_touched_product_days AS
     SELECT DISTINCT ol.product_id, timezone('UTC', d.delivered_at)::DATE AS day
     FROM q_touched_lines t
     JOIN order_lines ol ON ol.order_id = t.order_id AND ol.line_id = t.line_id
     JOIN deliveries d ON d.order_id = t.order_id AND (d.line_id IS NULL OR d.line_id = t.line_id)
     WHERE d.delivered_at <= $now::TIMESTAMPTZ`,
    { now: parameters.now },
  );
  const reader = await connection.runAndReadAll('SELECT count(*) FROM q_touched_product_days');
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

/** Which cohorts a recomputation covers: all of them, or those in q_touched_product_days. */
export type CohortSelection = 'all' | 'touched';

/** The capped per-line return counts of quality_cohort_base, in its column order, with what each counts. */
const CAPPED_COUNTS: ReadonlyArray<{ name: string; filter: string }> = [
  { name: 'returned', filter: 'in_window' },
  { name: 'returned_n', filter: 'in_n' },
  { name: 'returned_detection', filter: 'in_detection' },
  { name: 'fault', filter: 'in_window AND product_fault' },
  { name: 'fault_n', filter: 'in_n AND product_fault' },
  { name: 'fault_detection', filter: 'in_detection AND product_fault' },
  { name: 'claimed', filter: "in_window AND reason = 'quality.defective'" },
  { name: 'confirmed', filter: 'in_window AND confirmed' },
];

/**
 * Recomputes quality_cohort_base for the selected cohorts (delete + insert),
 * and records in q_touched_scope_days every (scope, id, day) whose period rows must follow.
 */
export async function refreshQualityBase(connection: DuckDBConnection, settings: QualityRunSettings, selection: CohortSelection): Promise<void> {
  const parameters = {
    now: settings.now.toISOString(),
    defaultWindow: settings.defaultWindowDays,
    withinDays: settings.withinDays,
    detectionDays: settings.detectionDays,
  };
  await connection.run('CREATE OR REPLACE TEMP TABLE q_touched_scope_days (scope VARCHAR, scope_id VARCHAR, day DATE)');
  if (selection === 'all') {
    await connection.run('DELETE FROM quality_cohort_base');
  } else {
    await recordTouchedScopeDays(connection);
    await connection.run('DELETE FROM quality_cohort_base b USING q_touched_product_days t WHERE b.product_id = t.product_id AND b.day = t.day');
  }
  // Only lines that can land in a touched cohort: of a touched product, in an order delivered (in
  // part or whole) on a touched day. A superset; the exact (product, day) filter follows.
  const productFilter =
    selection === 'all'
      ? ''
      : `WHERE ol.product_id IN (SELECT DISTINCT product_id FROM q_touched_product_days)
           AND ol.order_id IN (SELECT order_id FROM deliveries WHERE timezone('UTC', delivered_at)::DATE IN (SELECT DISTINCT day FROM q_touched_product_days))`;
  const orderFilter = selection === 'all' ? '' : 'AND order_id IN (SELECT order_id FROM candidate)';
  const cohortFilter = selection === 'all' ? '' : 'JOIN q_touched_product_days t ON t.product_id = c.product_id AND t.day = c.day';
  // A line's first delivery is the earlier of its order's first whole-order delivery (line_id NULL
  // delivers every line) and its own first line delivery: each side is reduced to one row per order
  // or per line before it meets the order lines, which is far cheaper than joining every line with
  // every delivery of its order and grouping the result by (order_id, line_id).
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE q_line_cohorts AS
     WITH candidate AS (
       SELECT ol.order_id, ol.line_id, ol.product_id, ol.category, ol.seller_id, ol.quantity FROM order_lines ol ${productFilter}
     ),
     order_delivery AS (
       SELECT order_id, min(delivered_at) AS delivered_at FROM deliveries
       WHERE line_id IS NULL AND delivered_at <= $now::TIMESTAMPTZ ${orderFilter} GROUP BY order_id
     ),
     line_delivery AS (
       SELECT order_id, line_id, min(delivered_at) AS delivered_at FROM deliveries
       WHERE line_id IS NOT NULL AND delivered_at <= $now::TIMESTAMPTZ ${orderFilter} GROUP BY order_id, line_id
     ),
     lines AS (
       -- least() skips NULL: a line delivered only one way takes that delivery
       SELECT c.*, least(o.delivered_at, l.delivered_at) AS delivered_at
       FROM candidate c
       LEFT JOIN order_delivery o ON o.order_id = c.order_id
       LEFT JOIN line_delivery l ON l.order_id = c.order_id AND l.line_id = c.line_id
       WHERE o.delivered_at IS NOT NULL OR l.delivered_at IS NOT NULL
     )
     SELECT c.order_id, c.line_id, c.product_id, c.category, c.seller_id, c.quantity, c.delivered_at, c.day,
            coalesce(w.days, $defaultWindow)::INTEGER AS window_days
     FROM (SELECT *, timezone('UTC', delivered_at)::DATE AS day FROM lines) c LEFT JOIN q_windows w ON w.category = c.category ${cohortFilter}`,
    { now: parameters.now, defaultWindow: parameters.defaultWindow },
  );
  const inspectionFilter = selection === 'all' ? '' : 'AND return_id IN (SELECT return_id FROM return_lines WHERE order_id IN (SELECT order_id FROM q_line_cohorts))';
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE q_return_facts AS
     WITH latest_inspection AS (
       SELECT return_id, line_id, arg_max(fault, inspected_at) AS fault
       FROM inspections WHERE inspected_at <= $now::TIMESTAMPTZ ${inspectionFilter}
       GROUP BY return_id, line_id
     )
     SELECT rl.order_id, rl.line_id, lc.product_id, lc.category, lc.seller_id, lc.day, lc.quantity AS line_quantity,
            rl.quantity, rl.reason,
            rl.reason IN (SELECT reason FROM q_fault_reasons) AS product_fault,
            rl.requested_at <= lc.delivered_at + to_days(lc.window_days) AS in_window,
            rl.requested_at <= lc.delivered_at + to_days($withinDays::INTEGER) AS in_n,
            rl.requested_at <= lc.delivered_at + to_days($detectionDays::INTEGER) AS in_detection,
            coalesce(i.fault = 'manufacturing', false) AS confirmed
     FROM return_lines rl
     JOIN q_line_cohorts lc ON lc.order_id = rl.order_id AND lc.line_id = rl.line_id
     LEFT JOIN latest_inspection i ON i.return_id = rl.return_id AND i.line_id = rl.line_id
     WHERE rl.requested_at <= $now::TIMESTAMPTZ`,
    { now: parameters.now, withinDays: parameters.withinDays, detectionDays: parameters.detectionDays },
  );
  const reasonSums = [
    ...REASON_COLUMNS.map((column) => `sum(quantity) FILTER (WHERE in_window AND reason = ${sqlLiteral(column.reason)}) AS ${column.window}`),
    ...REASON_COLUMNS.map((column) => `sum(quantity) FILTER (WHERE in_detection AND reason = ${sqlLiteral(column.reason)}) AS ${column.detection}`),
  ];
  const cohortKey = (left: string, right: string): string =>
    `${right}.product_id = ${left}.product_id AND ${right}.category = ${left}.category AND ${right}.seller_id IS NOT DISTINCT FROM ${left}.seller_id AND ${right}.day = ${left}.day`;
  // Three narrow aggregations joined on the cohort, rather than one wide one: DuckDB's cost grows
  // with rows × aggregates, and only the delivered units need every line; the capped counts need
  // one row per returned line and the reason counts one per return line.
  await connection.run(
    `INSERT INTO quality_cohort_base
     WITH per_line AS (
       -- a line never counts more returned units than it had (repeated return requests)
       SELECT any_value(product_id) AS product_id, any_value(category) AS category, any_value(seller_id) AS seller_id, any_value(day) AS day,
              ${CAPPED_COUNTS.map((count) => `least(any_value(line_quantity), coalesce(sum(quantity) FILTER (WHERE ${count.filter}), 0)) AS ${count.name}`).join(',\n              ')}
       FROM q_return_facts GROUP BY order_id, line_id
     ),
     delivered AS (
       SELECT product_id, category, seller_id, day, max(window_days) AS window_days, sum(quantity) AS delivered
       FROM q_line_cohorts GROUP BY product_id, category, seller_id, day
     ),
     capped AS (
       SELECT product_id, category, seller_id, day, ${CAPPED_COUNTS.map((count) => `sum(${count.name}) AS ${count.name}`).join(', ')}
       FROM per_line GROUP BY product_id, category, seller_id, day
     ),
     reasons AS (
       SELECT product_id, category, seller_id, day, ${reasonSums.join(', ')}
       FROM q_return_facts GROUP BY product_id, category, seller_id, day
     )
     SELECT d.product_id, d.category, d.seller_id, d.day, d.window_days, d.delivered,
            ${CAPPED_COUNTS.map((count) => `coalesce(c.${count.name}, 0)`).join(', ')},
            ${REASON_COLUMNS.map((column) => `coalesce(r.${column.window}, 0)`).join(', ')},
            ${REASON_COLUMNS.map((column) => `coalesce(r.${column.detection}, 0)`).join(', ')}
     FROM delivered d
     LEFT JOIN capped c ON ${cohortKey('d', 'c')}
     LEFT JOIN reasons r ON ${cohortKey('d', 'r')}`,
  );
  if (selection === 'touched') await recordTouchedScopeDays(connection);
  await connection.run('DROP TABLE IF EXISTS q_line_cohorts');
  await connection.run('DROP TABLE IF EXISTS q_return_facts');
}

/** Category and seller days of the touched product cohorts, before and after their recomputation. */
async function recordTouchedScopeDays(connection: DuckDBConnection): Promise<void> {
  await connection.run(
    `INSERT INTO q_touched_scope_days
     SELECT 'product', product_id, day FROM q_touched_product_days
     UNION ALL
     SELECT 'category', b.category, b.day FROM quality_cohort_base b JOIN q_touched_product_days t ON t.product_id = b.product_id AND t.day = b.day
     UNION ALL
     SELECT 'seller', b.seller_id, b.day FROM quality_cohort_base b JOIN q_touched_product_days t ON t.product_id = b.product_id AND t.day = b.day
     WHERE b.seller_id IS NOT NULL`,
  );
}
