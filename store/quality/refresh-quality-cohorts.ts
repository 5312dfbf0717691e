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
  const cohortFilter = selection === 'all' ? '' : 'JOIN q_touched_product_days t ON t.product_id = c.product_id AND t.day = c.day';
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE q_line_cohorts AS
     WITH candidate AS (
       SELECT ol.order_id, ol.line_id, ol.product_id, ol.category, ol.seller_id, ol.quantity FROM order_lines ol ${productFilter}
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
     FROM lines c LEFT JOIN q_windows w ON w.category = c.category ${cohortFilter}`,
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
