import type { DuckDBConnection } from '@duckdb/node-api';
import { PRODUCT_FAULT_REASONS } from '../../domain/events/vocabulary.ts';
import { readReceiptsReported } from '../receipts-reported.ts';

export interface FeatureOptions {
  /** A refund whose return has no receipt this many days after the refund counts as "never arrived". Default 14. */
  readonly noReceiptDays: number;
  /** A return requested this many days or more after delivery counts as end-of-window. Default 20 (of a 30-day window). */
  readonly lateReturnDays: number;
  /** The same for the lines of categories with a return window of their own (by the order line's category). Default none. */
  readonly lateReturnDaysByCategory?: Readonly<Record<string, number>>;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = Object.freeze({ noReceiptDays: 14, lateReturnDays: 20 });

/** End of window: the last third of the return window. */
const lateDaysOf = (windowDays: number): number => Math.max(1, Math.round(windowDays * (2 / 3)));

/** The options of the configured policy (the risk job, the model's training and the flag evidence must agree). */
export function featureOptionsOf(config: { riskNoReceiptDays: number; returnWindowDays: number; returnWindowByCategory: Readonly<Record<string, number>> }): FeatureOptions {
  const byCategory = Object.entries(config.returnWindowByCategory);
  return {
    noReceiptDays: config.riskNoReceiptDays,
    lateReturnDays: lateDaysOf(config.returnWindowDays),
    ...(byCategory.length === 0 ? {} : { lateReturnDaysByCategory: Object.fromEntries(byCategory.map(([category, days]) => [category, lateDaysOf(days)])) }),
  };
}

/**
 * SQL for the end-of-window day of a return line whose order line's category is `categoryColumn`:
 * `$lateDays` (the parameter), or a CASE over the categories with a window of their own.
 */
export function lateDaysSql(categoryColumn: string, options: FeatureOptions): string {
  const byCategory = Object.entries(options.lateReturnDaysByCategory ?? {});
  if (byCategory.length === 0) return '$lateDays';
  const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;
  const cases = byCategory.map(([category, days]) => `WHEN ${quote(category)} THEN ${Math.trunc(days)}`).join(' ');
  return `(CASE ${categoryColumn} ${cases} ELSE $lateDays END)`;
}

const DEFECT_REASON_LIST = PRODUCT_FAULT_REASONS.map((reason) => `'${reason}'`).join(', ');

/** Weight, in claims, of the marketplace's no-fault share in a customer's shrunk share (one claim proves little). */
const NO_FAULT_PRIOR_CLAIMS = 2;

/**
 * Fills the temporary table `risk_targets (target_id, customer_id, as_of)` with every customer who
 * has any activity before `asOf` (an order, return, claim or refund), numbered 0…n−1 in
 * customer_id order. Returns n.
 */
export async function createSnapshotTargets(connection: DuckDBConnection, asOf: Date): Promise<number> {
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE risk_targets AS
     SELECT (row_number() OVER (ORDER BY customer_id) - 1)::BIGINT AS target_id, customer_id, $asOf::TIMESTAMPTZ AS as_of
     FROM (
       SELECT customer_id FROM orders WHERE placed_at < $asOf::TIMESTAMPTZ
       UNION SELECT customer_id FROM return_requests WHERE requested_at < $asOf::TIMESTAMPTZ
       UNION SELECT customer_id FROM claims WHERE opened_at < $asOf::TIMESTAMPTZ
       UNION SELECT customer_id FROM refunds WHERE issued_at < $asOf::TIMESTAMPTZ
     )`,
    { asOf: asOf.toISOString() },
  );
  const reader = await connection.runAndReadAll('SELECT count(*)::BIGINT FROM risk_targets');
  return Number(reader.getRows()[0]![0]);
}

/**
 * Typical parcel weight of a one-line return of each product, per unit (all customers, all time: a
 * property of the product, not of anyone's future), for products with at least 3 such parcels; only
 * for the products `productsSql` selects, when given (the same medians, fewer rows read).
 */
export function productWeightSql(productsSql?: string): string {
  return `SELECT rl.product_id, median(rr.weight_grams / rl.quantity) AS grams
  FROM return_receipts rr JOIN return_lines rl ON rl.return_id = rr.return_id AND rl.line_id = rr.line_id
  WHERE rr.weight_grams IS NOT NULL${productsSql === undefined ? '' : ` AND rl.product_id IN (${productsSql})`}
    AND rr.return_id IN (SELECT return_id FROM return_lines GROUP BY return_id HAVING count(*) = 1)
  GROUP BY rl.product_id HAVING count(*) >= 3`;
}

/** What the features were computed with, beyond their options: recorded by the risk run (job_runs.details). */
export interface ComputedFeatures {
  /** Whether missing receipts counted as evidence (store/receipts-reported.ts): a property of the whole data set. */
  receiptsReported: boolean;
}

/**
 * Computes the point-in-time features of every row of `risk_targets (target_id, customer_id, as_of)`
 * into the temporary table `risk_feature_rows (target_id, customer_id, as_of, <one DOUBLE per feature>)`;
 * the columns are models/risk/risk-feature-names.ts's RISK_FEATURE_NAMES (test/store/risk checks they agree).
 *
 * Only facts strictly before each row's `as_of` count (an order placed, return requested, inspection
 * made, refund issued, parcel received or claim opened at or after it is invisible), so training rows
 * computed as of a label's date see nothing of the future. Ring features add up the same facts over
 * the customer's ring mates from `customer_ring_members` (ring membership itself is the latest one —
 * see docs/risk.md). Aggregation stays in DuckDB; nothing is pulled into JavaScript here.
 */
export async function computeCustomerFeatures(
  connection: DuckDBConnection,
  options: FeatureOptions = DEFAULT_FEATURE_OPTIONS,
  /** A risk run's: its as_of, under which the typical product weights are kept in risk_product_weights (migration 014). */
  record?: { asOf: Date },
): Promise<ComputedFeatures> {
  // Subjects: each target's own customer, plus its ring mates (for the ring aggregates), each with
  // its window bounds. TIMESTAMPTZ − INTERVAL goes through the time-zone calendar (~1 µs a value, 30×
  // a plain comparison), so the bounds are computed once per distinct as_of, not once per fact.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE risk_subjects AS
    WITH bounds AS (
      SELECT as_of, as_of - INTERVAL 30 DAY AS since_30d, as_of - INTERVAL 90 DAY AS since_90d, as_of - INTERVAL 365 DAY AS since_365d,
        as_of - to_days($noReceiptDays::INTEGER) AS refunded_before
      FROM (SELECT DISTINCT as_of FROM risk_targets)
    ),
    subjects AS (
      SELECT target_id, customer_id AS subject_id, as_of, true AS is_self FROM risk_targets
      UNION ALL
      SELECT t.target_id, mate.customer_id, t.as_of, false
      FROM risk_targets t
      JOIN customer_ring_members own ON own.customer_id = t.customer_id
      JOIN customer_ring_members mate ON mate.ring_id = own.ring_id AND mate.customer_id <> t.customer_id
    )
    -- subject_row: one integer key per (target, subject), so every aggregate below groups and joins on
    -- an integer instead of (target_id, customer_id string).
    SELECT (row_number() OVER () - 1)::BIGINT AS subject_row, s.target_id, s.subject_id, s.as_of, s.is_self, b.since_30d, b.since_90d, b.since_365d, b.refunded_before
    FROM subjects s JOIN bounds b USING (as_of)`,
    { noReceiptDays: options.noReceiptDays },
  );

  // Properties of the whole data set, asked apart so that the run can record them: a missing receipt
  // is evidence only where receipts are reported at all (store/receipts-reported.ts), and a flag's
  // evidence lists missing receipts only if the run that wrote its reasons counted them, and weighs
  // parcels against the same typical weights (store/api/read-reason-evidence.ts).
  const receiptsReported = await readReceiptsReported(connection);
  await connection.run(`CREATE OR REPLACE TEMP TABLE risk_product_weight AS ${productWeightSql()}`);
  if (record !== undefined) {
    await connection.run('DELETE FROM risk_product_weights');
    await connection.run('INSERT INTO risk_product_weights SELECT $asOf::TIMESTAMPTZ, product_id, grams FROM risk_product_weight', { asOf: record.asOf.toISOString() });
  }

  // Elapsed days use epoch arithmetic: date_diff('second', …) on TIMESTAMPTZ goes through the
  // calendar too and gives the same whole seconds 40× slower.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE risk_subject_facts AS
    WITH line_delivery AS (
      -- Only returned lines need their delivery time (a quarter of the lines, not all of them).
      SELECT rl.order_id, rl.line_id, min(d.delivered_at) AS delivered_at
      FROM (SELECT DISTINCT order_id, line_id FROM return_lines) rl
      JOIN deliveries d ON d.order_id = rl.order_id AND (d.line_id IS NULL OR d.line_id = rl.line_id)
      GROUP BY rl.order_id, rl.line_id
    ),
    first_receipt AS (
      -- A plain join on the first arrival instead of a NOT EXISTS correlated on each row's as_of.
      SELECT return_id, min(received_at) AS received_at FROM return_receipts GROUP BY return_id
    ),
    latest_inspections AS (
      -- One inspection per returned line, its latest: a re-inspection (a second opinion, or the same
      -- inspection re-sent under a new event id) replaces the first instead of counting twice.
      SELECT * FROM inspections
      QUALIFY row_number() OVER (PARTITION BY return_id, line_id ORDER BY inspected_at DESC, event_id DESC) = 1
    ),
    order_facts AS (
      SELECT s.subject_row,
        min(o.placed_at) AS first_order_at,
        count(*) FILTER (WHERE o.placed_at >= s.since_30d) AS orders_30d,
        count(*) FILTER (WHERE o.placed_at >= s.since_365d) AS orders_365d
      FROM risk_subjects s JOIN orders o ON o.customer_id = s.subject_id AND o.placed_at < s.as_of
      GROUP BY s.subject_row
    ),
    product_defect_rate AS (
      -- Items claimed defective per item sold, per product (all customers, all time, like
      -- product_weight below): what an ordinary buyer of the product claims.
      SELECT sold.product_id, coalesce(claimed.items, 0) / sold.items AS rate
      FROM (SELECT product_id, sum(quantity) AS items FROM order_lines GROUP BY product_id) sold
      LEFT JOIN (SELECT product_id, sum(quantity) AS items FROM return_lines WHERE reason IN (${DEFECT_REASON_LIST}) GROUP BY product_id) claimed USING (product_id)
    ),
    category_abuse_rate AS (
      -- Returned items inspected with evidence of abuse (not the declared item, used, or claimed
      -- defective with no fault found) per item sold, per category (all customers, all time, like
      -- product_defect_rate): where on this marketplace abuse concentrates (resaleable goods).
      SELECT sold.category, coalesce(abused.items, 0) / sold.items AS rate
      FROM (SELECT category, sum(quantity) AS items FROM order_lines GROUP BY category) sold
      LEFT JOIN (
        SELECT ol.category, sum(rl.quantity) AS items
        FROM latest_inspections i
        JOIN return_lines rl ON rl.return_id = i.return_id AND rl.line_id = i.line_id
        JOIN order_lines ol ON ol.order_id = rl.order_id AND ol.line_id = rl.line_id
        WHERE i.condition IN ('X_not_declared_item', 'C_used') OR (rl.reason IN (${DEFECT_REASON_LIST}) AND i.fault = 'none_found')
        GROUP BY ol.category
      ) abused USING (category)
    ),
    line_facts AS (
      -- One pass over the lines for both windows.
      SELECT s.subject_row,
        sum(ol.quantity) AS items_bought_365d,
        sum(ol.quantity * ol.unit_price) AS value_bought_365d,
        sum(ol.quantity) FILTER (WHERE ol.placed_at >= s.since_90d) AS items_bought_90d,
        sum(ol.quantity * pdr.rate) AS expected_defect_items_365d,
        sum(ol.quantity * car.rate) / sum(ol.quantity) AS category_abuse_rate_365d
      FROM risk_subjects s JOIN order_lines ol ON ol.customer_id = s.subject_id
        AND ol.placed_at < s.as_of AND ol.placed_at >= s.since_365d
      LEFT JOIN product_defect_rate pdr ON pdr.product_id = ol.product_id
      LEFT JOIN category_abuse_rate car ON car.category = ol.category
      GROUP BY s.subject_row
    ),
    bracketing AS (
      SELECT s.subject_row, count(*) AS bracketing_orders_365d
      FROM risk_subjects s JOIN (
        -- An order belongs to one customer: grouping by order and product hashes one string less.
        SELECT any_value(customer_id) AS customer_id, min(placed_at) AS placed_at
        FROM order_lines WHERE size IS NOT NULL
        GROUP BY order_id, product_id HAVING min(size) <> max(size)
      ) b ON b.customer_id = s.subject_id AND b.placed_at < s.as_of AND b.placed_at >= s.since_365d
      GROUP BY s.subject_row
    ),
    request_facts AS (
      -- One pass over the requests: the last 30 days, and requests a month old whose parcel never
      -- arrived (a refund abuser without an instant refund).
      SELECT s.subject_row,
        count(*) FILTER (WHERE r.requested_at >= s.since_30d) AS returns_30d,
        count(*) FILTER (WHERE r.requested_at < s.since_30d AND (fr.received_at IS NULL OR fr.received_at >= s.as_of) AND $receiptsReported::BOOLEAN) AS unshipped_returns_365d
      FROM risk_subjects s JOIN return_requests r ON r.customer_id = s.subject_id
        AND r.requested_at < s.as_of AND r.requested_at >= s.since_365d
      LEFT JOIN first_receipt fr ON fr.return_id = r.return_id
      GROUP BY s.subject_row
    ),
    subject_lines AS (
      SELECT s.subject_row, s.as_of, s.since_30d, s.since_90d, rl.return_id, rl.line_id, rl.product_id, rl.quantity, rl.reason, rl.requested_at,
        rl.quantity * ol.unit_price AS value,
        ((epoch_us(rl.requested_at) // 1000000) - (epoch_us(ld.delivered_at) // 1000000)) / 86400.0 AS days_to_return,
        -- End of the window of the line's category (RETOUR_RETURN_WINDOW_BY_CATEGORY), else of the default window.
        ${lateDaysSql('ol.category', options)} AS late_days
      FROM risk_subjects s
      JOIN return_lines rl ON rl.customer_id = s.subject_id AND rl.requested_at < s.as_of AND rl.requested_at >= s.since_365d
      LEFT JOIN order_lines ol ON ol.order_id = rl.order_id AND ol.line_id = rl.line_id
      LEFT JOIN line_delivery ld ON ld.order_id = rl.order_id AND ld.line_id = rl.line_id
    ),
    subject_inspections AS (
      -- Each subject line with its latest inspection before the subject's as-of (point in time, as
      -- latest_inspections is over all time).
      SELECT sl.subject_row, sl.since_30d, sl.since_90d, sl.product_id, sl.reason, sl.days_to_return, sl.late_days, i.condition, i.fault, i.inspected_at
      FROM subject_lines sl JOIN inspections i ON i.return_id = sl.return_id AND i.line_id = sl.line_id AND i.inspected_at < sl.as_of
      QUALIFY row_number() OVER (PARTITION BY sl.subject_row, sl.return_id, sl.line_id ORDER BY i.inspected_at DESC, i.event_id DESC) = 1
    ),
    return_facts AS (
      SELECT subject_row,
        sum(quantity) FILTER (WHERE requested_at >= since_90d) AS items_returned_90d,
        sum(quantity) AS items_returned_365d,
        sum(value) FILTER (WHERE requested_at >= since_90d) AS returned_value_90d,
        sum(value) AS returned_value_365d,
        avg(days_to_return) AS mean_days_to_return_365d,
        avg(CASE WHEN days_to_return IS NULL THEN NULL WHEN days_to_return >= late_days THEN 1.0 ELSE 0.0 END) AS late_window_return_share_365d,
        count(*) FILTER (WHERE days_to_return >= late_days) AS late_window_returns_365d,
        avg(CASE WHEN reason LIKE 'fit.%' THEN 1.0 ELSE 0.0 END) AS fit_reason_share_365d,
        count(*) FILTER (WHERE reason IN (${DEFECT_REASON_LIST})) AS defect_claim_lines_365d,
        sum(quantity) FILTER (WHERE reason IN (${DEFECT_REASON_LIST})) AS defect_claim_items_365d,
        avg(CASE WHEN reason IN (${DEFECT_REASON_LIST}) THEN 1.0 ELSE 0.0 END) AS defect_claim_share_365d
      FROM subject_lines GROUP BY subject_row
    ),
    inspection_facts AS (
      SELECT si.subject_row,
        avg(CASE WHEN si.condition = 'A_new' THEN 1.0 ELSE 0.0 END) AS new_condition_share_365d,
        avg(CASE WHEN si.fault = 'none_found' THEN 1.0 ELSE 0.0 END) FILTER (WHERE si.reason IN (${DEFECT_REASON_LIST})) AS no_fault_found_share_365d,
        count(*) FILTER (WHERE si.condition = 'X_not_declared_item' AND si.inspected_at >= si.since_30d) AS not_declared_30d,
        count(*) FILTER (WHERE si.condition = 'X_not_declared_item' AND si.inspected_at >= si.since_90d) AS not_declared_90d,
        count(*) FILTER (WHERE si.condition = 'X_not_declared_item') AS not_declared_365d,
        count(*) FILTER (WHERE si.condition = 'C_used' AND si.inspected_at >= si.since_90d) AS used_returns_90d,
        count(*) FILTER (WHERE si.condition = 'C_used') AS used_returns_365d,
        -- Worn and sent back at the end of the window: the wardrobing pattern, rare for honest returns.
        count(*) FILTER (WHERE si.condition = 'C_used' AND si.days_to_return >= si.late_days) AS late_used_returns_365d,
        count(*) FILTER (WHERE si.reason IN (${DEFECT_REASON_LIST})) AS defect_claims_inspected_365d,
        count(*) FILTER (WHERE si.reason IN (${DEFECT_REASON_LIST}) AND si.fault = 'none_found') AS no_fault_defect_claims_365d,
        -- "Defective", yet back unused and working.
        count(*) FILTER (WHERE si.reason IN (${DEFECT_REASON_LIST}) AND si.fault = 'none_found' AND si.condition = 'A_new') AS unused_defect_claims_365d
      FROM subject_inspections si
      GROUP BY si.subject_row
    ),
    refund_facts AS (
      SELECT s.subject_row, count(*) AS refunds_without_receipt_365d, sum(f.amount) AS refunded_value_without_receipt_365d
      FROM risk_subjects s JOIN refunds f ON f.customer_id = s.subject_id AND f.return_id IS NOT NULL
        AND f.issued_at < s.refunded_before AND f.issued_at >= s.since_365d
      LEFT JOIN first_receipt fr ON fr.return_id = f.return_id
      WHERE (fr.received_at IS NULL OR fr.received_at >= s.as_of) AND $receiptsReported::BOOLEAN
      GROUP BY s.subject_row
    ),
    single_line_returns AS (SELECT return_id FROM return_lines GROUP BY return_id HAVING count(*) = 1),
    product_weight AS (SELECT product_id, grams FROM risk_product_weight),
    off_weight AS (
      -- One-line parcels more than 20% off the product's typical weight, either way: something other
      -- than the product came back (a swap), not just different packaging.
      SELECT sl.subject_row, count(DISTINCT sl.return_id) AS off_weight_parcels_365d
      FROM subject_lines sl
      JOIN return_receipts rr ON rr.return_id = sl.return_id AND rr.line_id = sl.line_id AND rr.received_at < sl.as_of
      JOIN product_weight pw ON pw.product_id = sl.product_id
      WHERE sl.return_id IN (SELECT return_id FROM single_line_returns)
        AND abs(rr.weight_grams - pw.grams * sl.quantity) > 0.2 * pw.grams * sl.quantity
      GROUP BY sl.subject_row
    ),
    defect_inspections AS (
      SELECT rl.product_id, CASE WHEN i.fault = 'none_found' THEN 1.0 ELSE 0.0 END AS no_fault
      FROM return_lines rl JOIN latest_inspections i ON i.return_id = rl.return_id AND i.line_id = rl.line_id
      WHERE rl.reason IN (${DEFECT_REASON_LIST})
    ),
    product_no_fault AS (
      -- How often an inspected defect claim on each product finds no fault (all customers, all time,
      -- like product_weight): intermittent faults are common on some products, rare on others.
      -- Products with fewer than 5 inspected claims take the overall share.
      SELECT product_id, avg(no_fault) AS share FROM defect_inspections GROUP BY product_id HAVING count(*) >= 5
    ),
    unexpected_no_fault AS (
      -- No-fault-found defect claims beyond what the claimed products' own rates predict: ~0 for an
      -- honest customer however many defects they report, positive for claims that keep finding nothing.
      SELECT si.subject_row,
        sum(CASE WHEN si.fault = 'none_found' THEN 1.0 ELSE 0.0 END - coalesce(p.share, (SELECT avg(no_fault) FROM defect_inspections))) AS unexpected_no_fault_365d
      FROM subject_inspections si
      LEFT JOIN product_no_fault p ON p.product_id = si.product_id
      WHERE si.reason IN (${DEFECT_REASON_LIST})
      GROUP BY si.subject_row
    ),
    light AS (
      -- DISTINCT over the few light lines only (a parcel counts once however many lines it had).
      SELECT sl.subject_row, count(DISTINCT sl.return_id) AS light_parcels_365d
      FROM subject_lines sl
      JOIN return_receipts rr ON rr.return_id = sl.return_id AND rr.line_id = sl.line_id AND rr.received_at < sl.as_of
      JOIN product_weight pw ON pw.product_id = sl.product_id
      WHERE rr.weight_grams < 0.5 * pw.grams * sl.quantity
      GROUP BY sl.subject_row
    ),
    claim_delivery AS (
      -- First delivery scan of the orders that have claims (claims are few; deliveries are many).
      SELECT d.order_id, min(d.delivered_at) AS delivered_at
      FROM deliveries d WHERE d.order_id IN (SELECT order_id FROM claims) GROUP BY d.order_id
    ),
    claim_facts AS (
      SELECT s.subject_row,
        count(*) FILTER (WHERE c.opened_at >= s.since_90d) AS claims_90d,
        count(*) AS claims_365d,
        -- "Never arrived" after the carrier scanned it delivered; late and lost parcels are claimed before any scan.
        count(*) FILTER (WHERE c.kind = 'not_received' AND cd.delivered_at < c.opened_at) AS delivered_not_received_claims_365d
      FROM risk_subjects s JOIN claims c ON c.customer_id = s.subject_id AND c.opened_at < s.as_of AND c.opened_at >= s.since_365d
      LEFT JOIN claim_delivery cd ON cd.order_id = c.order_id
      GROUP BY s.subject_row
    )
    SELECT s.target_id, s.subject_id, s.is_self, s.as_of,
      ((epoch_us(s.as_of) // 1000000) - (epoch_us(o.first_order_at) // 1000000)) / 86400.0 AS account_age_days,
      coalesce(o.orders_30d, 0) AS orders_30d, coalesce(o.orders_365d, 0) AS orders_365d,
      coalesce(l.items_bought_365d, 0) AS items_bought_365d, coalesce(l.value_bought_365d, 0) AS value_bought_365d,
      l.items_bought_90d,
      coalesce(q.returns_30d, 0) AS returns_30d,
      coalesce(r.items_returned_90d, 0) AS items_returned_90d, coalesce(r.items_returned_365d, 0) AS items_returned_365d,
      coalesce(r.returned_value_90d, 0) AS returned_value_90d, coalesce(r.returned_value_365d, 0) AS returned_value_365d,
      r.mean_days_to_return_365d, r.late_window_return_share_365d, coalesce(r.late_window_returns_365d, 0) AS late_window_returns_365d, r.fit_reason_share_365d,
      coalesce(r.defect_claim_lines_365d, 0) AS defect_claim_lines_365d,
      i.new_condition_share_365d, i.no_fault_found_share_365d,
      coalesce(i.not_declared_30d, 0) AS not_declared_30d, coalesce(i.not_declared_90d, 0) AS not_declared_90d,
      coalesce(i.not_declared_365d, 0) AS not_declared_365d,
      coalesce(i.used_returns_90d, 0) AS used_returns_90d, coalesce(i.used_returns_365d, 0) AS used_returns_365d,
      coalesce(f.refunds_without_receipt_365d, 0) AS refunds_without_receipt_365d,
      coalesce(q.unshipped_returns_365d, 0) AS unshipped_returns_365d,
      coalesce(lp.light_parcels_365d, 0) AS light_parcels_365d,
      coalesce(c.claims_90d, 0) AS claims_90d, coalesce(c.claims_365d, 0) AS claims_365d,
      coalesce(b.bracketing_orders_365d, 0) AS bracketing_orders_365d,
      r.defect_claim_share_365d,
      coalesce(ow.off_weight_parcels_365d, 0) AS off_weight_parcels_365d,
      coalesce(nf.unexpected_no_fault_365d, 0) AS unexpected_no_fault_365d,
      coalesce(i.late_used_returns_365d, 0) AS late_used_returns_365d,
      coalesce(c.delivered_not_received_claims_365d, 0) AS delivered_not_received_claims_365d,
      coalesce(i.no_fault_defect_claims_365d, 0) AS no_fault_defect_claims_365d,
      -- Shrunk toward the marketplace's share with the weight of 2 claims: 1 of 1 is not 100%.
      (coalesce(i.no_fault_defect_claims_365d, 0) + $priorClaims * (SELECT avg(no_fault) FROM defect_inspections))
        / (coalesce(i.defect_claims_inspected_365d, 0) + $priorClaims) AS no_fault_share_shrunk_365d,
      coalesce(i.unused_defect_claims_365d, 0) AS unused_defect_claims_365d,
      coalesce(r.defect_claim_items_365d, 0) - coalesce(l.expected_defect_items_365d, 0) AS defect_claim_excess_365d,
      coalesce(f.refunded_value_without_receipt_365d, 0) AS refunded_value_without_receipt_365d,
      l.category_abuse_rate_365d
    FROM risk_subjects s
    LEFT JOIN order_facts o USING (subject_row)
    LEFT JOIN line_facts l USING (subject_row)
    LEFT JOIN bracketing b USING (subject_row)
    LEFT JOIN request_facts q USING (subject_row)
    LEFT JOIN return_facts r USING (subject_row)
    LEFT JOIN inspection_facts i USING (subject_row)
    LEFT JOIN refund_facts f USING (subject_row)
    LEFT JOIN claim_facts c USING (subject_row)
    LEFT JOIN light lp USING (subject_row)
    LEFT JOIN off_weight ow USING (subject_row)
    LEFT JOIN unexpected_no_fault nf USING (subject_row)`,
    { lateDays: options.lateReturnDays, priorClaims: NO_FAULT_PRIOR_CLAIMS, receiptsReported },
  );

  // Return rates divide by purchases of the same window (a return of an older purchase can push a
  // short window's rate above 1; that is kept — it is itself a signal).
  await connection.run(`CREATE OR REPLACE TEMP TABLE risk_feature_rows AS
    WITH mates AS (
      -- Only ring members have mates (a tenth of the customers): the ring sums are their own plus these.
      SELECT target_id, count(*) AS mate_count,
        sum(returned_value_365d) AS returned_value_365d,
        sum(not_declared_365d) AS not_declared_365d,
        sum(refunds_without_receipt_365d) AS refunds_without_receipt_365d,
        sum(late_used_returns_365d + light_parcels_365d + delivered_not_received_claims_365d + unused_defect_claims_365d) AS other_evidence_365d
      FROM risk_subject_facts WHERE NOT is_self GROUP BY target_id
    )
    SELECT f.target_id, f.subject_id AS customer_id, f.as_of,
      f.account_age_days::DOUBLE AS account_age_days,
      f.orders_30d::DOUBLE AS orders_30d, f.orders_365d::DOUBLE AS orders_365d,
      f.items_bought_365d::DOUBLE AS items_bought_365d, f.value_bought_365d::DOUBLE AS value_bought_365d,
      f.returns_30d::DOUBLE AS returns_30d,
      f.items_returned_90d::DOUBLE AS items_returned_90d, f.items_returned_365d::DOUBLE AS items_returned_365d,
      (f.items_returned_90d / nullif(f.items_bought_90d, 0))::DOUBLE AS item_return_rate_90d,
      (f.items_returned_365d / nullif(f.items_bought_365d, 0))::DOUBLE AS item_return_rate_365d,
      (f.returned_value_365d / nullif(f.value_bought_365d, 0))::DOUBLE AS value_return_rate_365d,
      f.returned_value_90d::DOUBLE AS returned_value_90d, f.returned_value_365d::DOUBLE AS returned_value_365d,
      f.mean_days_to_return_365d::DOUBLE AS mean_days_to_return_365d,
      f.late_window_return_share_365d::DOUBLE AS late_window_return_share_365d,
      f.late_window_returns_365d::DOUBLE AS late_window_returns_365d,
      f.fit_reason_share_365d::DOUBLE AS fit_reason_share_365d,
      f.new_condition_share_365d::DOUBLE AS new_condition_share_365d,
      f.defect_claim_lines_365d::DOUBLE AS defect_claim_lines_365d,
      f.no_fault_found_share_365d::DOUBLE AS no_fault_found_share_365d,
      f.not_declared_30d::DOUBLE AS not_declared_30d, f.not_declared_90d::DOUBLE AS not_declared_90d,
      f.not_declared_365d::DOUBLE AS not_declared_365d,
      f.used_returns_90d::DOUBLE AS used_returns_90d, f.used_returns_365d::DOUBLE AS used_returns_365d,
      f.refunds_without_receipt_365d::DOUBLE AS refunds_without_receipt_365d,
      f.unshipped_returns_365d::DOUBLE AS unshipped_returns_365d,
      f.light_parcels_365d::DOUBLE AS light_parcels_365d,
      f.claims_90d::DOUBLE AS claims_90d, f.claims_365d::DOUBLE AS claims_365d,
      f.bracketing_orders_365d::DOUBLE AS bracketing_orders_365d,
      (1 + coalesce(m.mate_count, 0))::DOUBLE AS ring_size,
      (f.returned_value_365d + coalesce(m.returned_value_365d, 0))::DOUBLE AS ring_returned_value_365d,
      (f.not_declared_365d + coalesce(m.not_declared_365d, 0))::DOUBLE AS ring_not_declared_365d,
      (f.refunds_without_receipt_365d + coalesce(m.refunds_without_receipt_365d, 0))::DOUBLE AS ring_refunds_without_receipt_365d,
      f.defect_claim_share_365d::DOUBLE AS defect_claim_share_365d,
      f.off_weight_parcels_365d::DOUBLE AS off_weight_parcels_365d,
      f.unexpected_no_fault_365d::DOUBLE AS unexpected_no_fault_365d,
      f.late_used_returns_365d::DOUBLE AS late_used_returns_365d,
      f.delivered_not_received_claims_365d::DOUBLE AS delivered_not_received_claims_365d,
      f.no_fault_defect_claims_365d::DOUBLE AS no_fault_defect_claims_365d,
      f.no_fault_share_shrunk_365d::DOUBLE AS no_fault_share_shrunk_365d,
      f.unused_defect_claims_365d::DOUBLE AS unused_defect_claims_365d,
      f.defect_claim_excess_365d::DOUBLE AS defect_claim_excess_365d,
      f.refunded_value_without_receipt_365d::DOUBLE AS refunded_value_without_receipt_365d,
      f.category_abuse_rate_365d::DOUBLE AS category_abuse_rate_365d,
      -- The ring's other evidence of abuse (a wardrobing ring leaves worn items, not missing parcels).
      (f.late_used_returns_365d + f.light_parcels_365d + f.delivered_not_received_claims_365d + f.unused_defect_claims_365d
        + coalesce(m.other_evidence_365d, 0))::DOUBLE AS ring_other_evidence_365d
    FROM risk_subject_facts f
    LEFT JOIN mates m ON m.target_id = f.target_id
    WHERE f.is_self`);
  await connection.run('DROP TABLE IF EXISTS risk_subject_facts');
  await connection.run('DROP TABLE IF EXISTS risk_subjects');
  await connection.run('DROP TABLE IF EXISTS risk_product_weight');
  return { receiptsReported };
}
