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

/** Microseconds in a day: windows are compared on epoch microseconds (see `facts` below). */
const DAY_US = '86400000000';
/** The low 64 bits of a HUGEINT holding two counts (see packCounts). */
const LOW_LANE = '18446744073709551615::HUGEINT';

/**
 * Two non-negative counts in one HUGEINT, `low + high · 2^64`, so one sum() adds both: DuckDB's
 * aggregation cost grows with the number of aggregates per group, and the reason and capped counts
 * are 36 of them. Each lane is a sum of INTEGER quantities over fewer than 2^32 rows, far below
 * 2^63, so neither lane can carry into the other.
 */
function packCounts(low: string, high: string): string {
  return `(${low})::HUGEINT + ((${high})::HUGEINT << 64)`;
}

function unpackCounts(packed: string): [string, string] {
  return [`coalesce((${packed} & ${LOW_LANE})::BIGINT, 0)`, `coalesce((${packed} >> 64)::BIGINT, 0)`];
}

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
  const touchedProducts = 'ol.product_id IN (SELECT DISTINCT product_id FROM q_touched_product_days)';
  const productFilter =
    selection === 'all'
      ? ''
      : `WHERE ${touchedProducts}
           AND ol.order_id IN (SELECT order_id FROM deliveries WHERE timezone('UTC', delivered_at)::DATE IN (SELECT DISTINCT day FROM q_touched_product_days))`;
  const orderFilter = selection === 'all' ? '' : 'AND order_id IN (SELECT order_id FROM candidate)';
  const cohortFilter = selection === 'all' ? '' : 'JOIN q_touched_product_days t ON t.product_id = c.product_id AND t.day = make_timestamp(c.delivered_us)::DATE';
  const inspectionFilter = selection === 'all' ? '' : 'AND return_id IN (SELECT return_id FROM return_lines WHERE order_id IN (SELECT order_id FROM lines))';
  // the eight capped counts in four packed pairs, in column order
  const cappedPairs = [0, 2, 4, 6].map((index) => [CAPPED_COUNTS[index]!, CAPPED_COUNTS[index + 1]!] as const);
  const quantityIf = (filter: string): string => `CASE WHEN ${filter} THEN quantity ELSE 0 END`;
  const cohortKey = (left: string, right: string): string => `${right}.k = ${left}.k AND ${right}.day = ${left}.day`;
  // One statement from the facts to the cohort rows: the line cohorts and return facts stream into
  // the three aggregations instead of being written to temporary tables first (which cost more than
  // the aggregations that read them). The cohort key is (k, day), k a 64-bit hash of (product,
  // category, seller), so the group-bys and joins over millions of rows hash two integers instead of
  // three strings and a date; the strings come back from a dictionary of the few distinct triples.
  // Hashing each line measured ~12% cheaper than joining it to that dictionary on the three strings.
  // Two distinct triples with the same hash (odds about n²/2⁶⁵ for n triples) would merge their
  // cohorts, so the statement fails instead (the error() below) rather than write wrong rows.
  await connection.run(
    `INSERT INTO quality_cohort_base
     WITH candidate AS (
       SELECT ol.order_id, ol.line_id, ol.product_id, ol.category, ol.seller_id, ol.quantity FROM order_lines ol ${productFilter}
     ),
     products AS (
       SELECT p.product_id, p.category, p.seller_id, coalesce(w.days, $defaultWindow)::INTEGER AS window_days, p.k, count(*) OVER (PARTITION BY p.k) AS triples
       FROM (
         SELECT product_id, category, seller_id, hash(product_id, category, seller_id) AS k
         FROM (SELECT DISTINCT product_id, category, seller_id FROM order_lines ol ${selection === 'all' ? '' : `WHERE ${touchedProducts}`})
       ) p
       LEFT JOIN q_windows w ON w.category = p.category
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
       -- A line's first delivery is the earlier of its order's first whole-order delivery (line_id
       -- NULL delivers every line) and its own first line delivery: each side is reduced to one row
       -- per order or per line before it meets the order lines, which is far cheaper than joining
       -- every line with every delivery of its order. least() skips NULL: a line delivered only one
       -- way takes that delivery. The UTC day comes from epoch microseconds (make_timestamp gives a
       -- TIMESTAMP): timezone('UTC', …)::DATE is the same day at several times the cost.
       SELECT c.order_id, c.line_id, hash(c.product_id, c.category, c.seller_id) AS k, coalesce(w.days, $defaultWindow)::INTEGER AS window_days,
              c.quantity, c.delivered_us, make_timestamp(c.delivered_us)::DATE AS day
       FROM (
         SELECT c.*, epoch_us(least(o.delivered_at, l.delivered_at)) AS delivered_us
         FROM candidate c
         LEFT JOIN order_delivery o ON o.order_id = c.order_id
         LEFT JOIN line_delivery l ON l.order_id = c.order_id AND l.line_id = c.line_id
         WHERE o.delivered_at IS NOT NULL OR l.delivered_at IS NOT NULL
       ) c
       LEFT JOIN q_windows w ON w.category = c.category
       ${cohortFilter}
     ),
     latest_inspection AS (
       SELECT return_id, line_id, arg_max(fault, inspected_at) AS fault
       FROM inspections WHERE inspected_at <= $now::TIMESTAMPTZ ${inspectionFilter}
       GROUP BY return_id, line_id
     ),
     facts AS (
       -- "within D days of delivery" is compared on epoch microseconds: TIMESTAMPTZ + to_days(D)
       -- goes through the ICU calendar and was the costliest expression of the rebuild. The two are
       -- equal when the session time zone is UTC; with a daylight-saving zone, calendar days made
       -- the window an hour longer or shorter across a change, which the UTC day cohorts never meant.
       SELECT rl.order_id, rl.line_id, lc.k, lc.day, lc.quantity AS line_quantity, rl.quantity, rl.reason,
              list_position([${REASON_COLUMNS.map((column) => sqlLiteral(column.reason)).join(', ')}], rl.reason) AS reason_index,
              rl.reason IN (SELECT reason FROM q_fault_reasons) AS product_fault,
              epoch_us(rl.requested_at) - lc.delivered_us <= lc.window_days * ${DAY_US} AS in_window,
              -- N and D never reach past the return window: a request after it is no return of the
              -- cohort, so "within N days" cannot exceed "returned" when a category's window is shorter.
              epoch_us(rl.requested_at) - lc.delivered_us <= least($withinDays::BIGINT, lc.window_days) * ${DAY_US} AS in_n,
              epoch_us(rl.requested_at) - lc.delivered_us <= least($detectionDays::BIGINT, lc.window_days) * ${DAY_US} AS in_detection,
              coalesce(i.fault = 'manufacturing', false) AS confirmed
       FROM return_lines rl
       JOIN lines lc ON lc.order_id = rl.order_id AND lc.line_id = rl.line_id
       LEFT JOIN latest_inspection i ON i.return_id = rl.return_id AND i.line_id = rl.line_id
       WHERE rl.requested_at <= $now::TIMESTAMPTZ
     ),
     delivered AS (
       SELECT k, day, sum(quantity) AS delivered FROM lines GROUP BY k, day
     ),
     per_line AS (
       -- a line never counts more returned units than it had (repeated return requests): each lane
       -- of the per-line sums is capped at the line quantity
       SELECT k, day,
              ${cappedPairs.map((_, index) => `${packCounts(`least(line_quantity, c${index} & ${LOW_LANE})`, `least(line_quantity, c${index} >> 64)`)} AS c${index}`).join(',\n              ')}
       FROM (
         SELECT k, day, line_quantity,
                ${cappedPairs.map(([low, high], index) => `sum(${packCounts(quantityIf(low.filter), quantityIf(high.filter))}) AS c${index}`).join(',\n                ')}
         FROM facts GROUP BY order_id, line_id, k, day, line_quantity
       )
     ),
     capped AS (
       SELECT k, day, ${cappedPairs.map((_, index) => `sum(c${index}) AS c${index}`).join(', ')} FROM per_line GROUP BY k, day
     ),
     reason_counts AS (
       SELECT k, day,
              ${REASON_COLUMNS.map((_, index) => `sum(CASE WHEN reason_index = ${index + 1} THEN ${packCounts(quantityIf('in_window'), quantityIf('in_detection'))} END) AS r${index}`).join(',\n              ')}
       FROM facts GROUP BY k, day
     )
     SELECT p.product_id, p.category, p.seller_id, d.day, p.window_days, d.delivered,
            ${cappedPairs.flatMap((_, index) => unpackCounts(`c.c${index}`)).join(', ')},
            ${REASON_COLUMNS.map((_, index) => unpackCounts(`r.r${index}`)[0]).join(', ')},
            ${REASON_COLUMNS.map((_, index) => unpackCounts(`r.r${index}`)[1]).join(', ')}
     FROM delivered d
     JOIN products p ON p.k = d.k
     LEFT JOIN capped c ON ${cohortKey('d', 'c')}
     LEFT JOIN reason_counts r ON ${cohortKey('d', 'r')}
     WHERE CASE WHEN p.triples = 1 THEN true ELSE error('quality cohorts: two (product, category, seller) triples share the hash ' || p.k || '; the cohort keys cannot tell them apart') END`,
    parameters,
  );
  if (selection === 'touched') await recordTouchedScopeDays(connection);
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
