import type { DuckDBConnection } from '@duckdb/node-api';

/** The policy and limits one ops run works with (from configuration, plus the run's clock). */
export interface OpsRunSettings {
  now: Date;
  /** Return window after delivery, days, for categories without their own (RETOUR_RETURN_WINDOW_DAYS). */
  defaultWindowDays: number;
  windowByCategory: Readonly<Record<string, number>>;
  /** Refund due this many days after receipt (RETOUR_REFUND_SLA_DAYS). */
  refundSlaDays: number;
  /** A refund counts as "without receipt" once this many days passed with no receipt (RETOUR_OPS_RECEIPT_GRACE_DAYS). */
  receiptGraceDays: number;
  /** Stuck limit per stage, in hours (awaiting_receipt, awaiting_inspection, awaiting_refund, awaiting_close). */
  stuckLimitHours: Readonly<Record<string, number>>;
}

/** The fact tables the ops job reads and the time that says when each fact happened. */
const OPS_FACT_TIMES: Readonly<Record<string, string>> = {
  order_lines: 'placed_at',
  deliveries: 'delivered_at',
  return_requests: 'requested_at',
  return_lines: 'requested_at',
  return_receipts: 'received_at',
  inspections: 'inspected_at',
  refunds: 'issued_at',
  return_closures: 'closed_at',
  return_feedback: 'submitted_at',
};

/**
 * Builds the temp tables every ops step reads, on the job's connection:
 * - `ops_refund_facts`: one row per refund_id — the stored refunds plus the refunds ingest quarantined
 *   as RETOUR_EVENT_REFERENCE_INVALID (above the whole order's total: the most blatant over-refunds
 *   never reach `refunds`, yet the money went out) or for their currency alone (not ISO 4217: the
 *   schema error at `$.data.currency`, whose ids, time and amount come before it and passed), parsed
 *   from the raw event JSON;
 * - `ops_return_lines`: returned lines with their paid value, category, seller and first delivery;
 * - `ops_return_facts`: one row per return id seen in any fact table, with its milestones, refund
 *   totals, the paid value of its lines and its most valuable line's category and seller;
 * - `ops_order_refunds`: one row per stored order with refunds — all its refunds (with or without a
 *   return) against what the order cost, in the order's currency, and the same total with each
 *   return's refunds counted only up to what its own check allows.
 * Facts are taken as stored, whatever order they arrived in.
 */
export async function prepareOpsFacts(connection: DuckDBConnection, settings: OpsRunSettings): Promise<void> {
  // Every step reads the facts as of the run's `now` (ops_src_* views), like the quality and risk
  // jobs: a replay or a backfill run `--now` in the past sees no return, refund or receipt dated after it.
  const asOf = settings.now.toISOString();
  for (const [table, column] of Object.entries(OPS_FACT_TIMES)) {
    await connection.run(`CREATE OR REPLACE TEMP VIEW ops_src_${table} AS SELECT * FROM main.${table} WHERE ${column} <= TIMESTAMPTZ '${asOf}'`);
  }
  await connection.run(`CREATE OR REPLACE TEMP MACRO ops_hours(a, b) AS CASE WHEN b >= a THEN (epoch(b) - epoch(a)) / 3600.0 END`);
  await connection.run(`CREATE OR REPLACE TEMP MACRO ops_iso(ts) AS strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`);
  await connection.run(`CREATE OR REPLACE TEMP MACRO ops_week(ts) AS date_trunc('week', ts AT TIME ZONE 'UTC')::DATE`);

  await connection.run('CREATE OR REPLACE TEMP TABLE ops_policy_windows (category VARCHAR PRIMARY KEY, days INTEGER NOT NULL)');
  await connection.run(
    `INSERT INTO ops_policy_windows
     SELECT entry.category, entry.days FROM (SELECT unnest(from_json($windows, '[{"category":"VARCHAR","days":"INTEGER"}]')) AS entry)`,
    { windows: JSON.stringify(Object.entries(settings.windowByCategory).map(([category, days]) => ({ category, days }))) },
  );

  await connection.run(
    `
    CREATE OR REPLACE TEMP TABLE ops_refund_facts AS
    WITH quarantined AS (
      SELECT json_extract_string(doc, '$.data.refundId') AS refund_id,
             json_extract_string(doc, '$.data.returnId') AS return_id,
             json_extract_string(doc, '$.data.orderId') AS order_id,
             json_extract_string(doc, '$.data.customerId') AS customer_id,
             -- upper(): DuckDB refuses the lower-case t/z that RFC 3339 (and the contract) allow.
             TRY_CAST(upper(json_extract_string(doc, '$.data.issuedAt')) AS TIMESTAMPTZ) AS issued_at,
             TRY_CAST(json_extract_string(doc, '$.data.amount') AS BIGINT) AS amount,
             json_extract_string(doc, '$.data.currency') AS currency,
             json_extract_string(doc, '$.data.method') AS method,
             true AS quarantined
      FROM (
        SELECT try(decode(raw)::JSON) AS doc FROM quarantine
        WHERE event_type = 'refund.issued'
          -- A currency that is no ISO 4217 money (XYZ, eur) is the refund's first schema error, so
          -- its ids, issuedAt and amount are valid: the money went out in a currency nobody can tell.
          AND (error_code = 'RETOUR_EVENT_REFERENCE_INVALID' OR (error_code = 'RETOUR_EVENT_SCHEMA_INVALID' AND json_path = '$.data.currency'))
      )
      WHERE doc IS NOT NULL
    ),
    everything AS (
      SELECT refund_id, return_id, order_id, customer_id, issued_at, amount, currency, method, false AS quarantined FROM ops_src_refunds
      UNION ALL
      SELECT * FROM quarantined WHERE refund_id IS NOT NULL AND issued_at IS NOT NULL AND amount IS NOT NULL AND issued_at <= $now::TIMESTAMPTZ
    ),
    order_currencies AS (SELECT order_id, any_value(currency) AS currency FROM ops_src_order_lines GROUP BY order_id),
    deduplicated AS (
      -- A refund re-sent under another event id is the same money once.
      SELECT * FROM everything
      QUALIFY row_number() OVER (PARTITION BY refund_id ORDER BY quarantined, issued_at) = 1
    )
    -- order_currency: what the refund's order was paid in (NULL while the order is not stored); a
    -- refund in another currency cannot be weighed against what was paid (foreign_currency).
    SELECT d.*, oc.currency AS order_currency, coalesce(d.currency <> oc.currency, false) AS foreign_currency
    FROM deduplicated d LEFT JOIN order_currencies oc USING (order_id)`,
    { now: asOf },
  );

  await connection.run(
    `
    CREATE OR REPLACE TEMP TABLE ops_return_lines AS
    WITH lines AS (
      SELECT return_id, line_id, any_value(order_id) AS order_id, max(quantity) AS quantity, min(requested_at) AS requested_at
      FROM ops_src_return_lines GROUP BY return_id, line_id
    ),
    ordered AS (
      SELECT order_id, line_id, any_value(unit_price) AS unit_price, max(quantity) AS quantity, any_value(category) AS category,
             any_value(seller_id) AS seller_id, any_value(currency) AS currency
      FROM ops_src_order_lines GROUP BY order_id, line_id
    ),
    line_deliveries AS (SELECT order_id, line_id, min(delivered_at) AS delivered_at FROM ops_src_deliveries WHERE line_id IS NOT NULL GROUP BY ALL),
    order_deliveries AS (SELECT order_id, min(delivered_at) AS delivered_at FROM ops_src_deliveries WHERE line_id IS NULL GROUP BY ALL)
    SELECT l.return_id, l.line_id, l.order_id, l.quantity, l.requested_at,
           -- Paid for: no more units than were ordered, whatever quantity the request claims.
           o.unit_price, least(l.quantity, o.quantity) * o.unit_price AS value, o.category, o.seller_id, o.currency,
           -- The line arrived with the first delivery that covers it: its own, or the whole order's.
           least(ld.delivered_at, od.delivered_at) AS delivered_at,
           coalesce(w.days, $defaultWindowDays) AS window_days
    FROM lines l
    LEFT JOIN ordered o ON o.order_id = l.order_id AND o.line_id = l.line_id
    LEFT JOIN line_deliveries ld ON ld.order_id = l.order_id AND ld.line_id = l.line_id
    LEFT JOIN order_deliveries od ON od.order_id = l.order_id
    LEFT JOIN ops_policy_windows w ON w.category = o.category`,
    { defaultWindowDays: settings.defaultWindowDays },
  );

  await connection.run(`
    CREATE OR REPLACE TEMP TABLE ops_return_facts AS
    WITH ids AS (
      SELECT return_id FROM ops_src_return_requests
      UNION SELECT return_id FROM ops_src_return_receipts
      UNION SELECT return_id FROM ops_src_inspections
      UNION SELECT return_id FROM ops_refund_facts WHERE return_id IS NOT NULL
      UNION SELECT return_id FROM ops_src_return_closures
    ),
    request AS (
      SELECT return_id, arg_min(order_id, requested_at) AS order_id, arg_min(customer_id, requested_at) AS customer_id,
             min(requested_at) AS requested_at, arg_min(method, requested_at) AS method, arg_min(resolution, requested_at) AS resolution
      FROM ops_src_return_requests GROUP BY return_id
    ),
    line_totals AS (
      SELECT return_id,
             -- Unknown when any returned line's price is not stored yet.
             CASE WHEN count(*) = count(unit_price) THEN sum(value) END AS expected_amount,
             arg_max(category, {'value': coalesce(value, 0), 'line': line_id}) AS category,
             arg_max(seller_id, {'value': coalesce(value, 0), 'line': line_id}) AS seller_id,
             any_value(currency) AS currency
      FROM ops_return_lines GROUP BY return_id
    ),
    order_totals AS (SELECT order_id, sum(unit_price * quantity) AS order_total, any_value(currency) AS order_currency FROM ops_src_order_lines GROUP BY order_id),
    receipts AS (SELECT return_id, min(received_at) AS received_at FROM ops_src_return_receipts GROUP BY return_id),
    inspected AS (SELECT return_id, min(inspected_at) AS inspected_at, list(DISTINCT condition ORDER BY condition) AS conditions FROM ops_src_inspections GROUP BY return_id),
    refunded AS (
      SELECT return_id, min(issued_at) AS refunded_at, max(issued_at) AS last_refunded_at, arg_min(amount, issued_at) AS first_refund_amount,
             count(*) AS refund_count, sum(amount) AS refund_total,
             -- Equal amounts count once here: a repeated amount is a duplicate_refund, not an over-refund.
             -- Only refunds in the order's currency are weighed against what was paid for it.
             coalesce(sum(DISTINCT amount) FILTER (WHERE NOT foreign_currency), 0) AS refund_total_distinct,
             count(*) FILTER (WHERE foreign_currency) AS foreign_currency_refunds,
             any_value(order_currency) AS refund_order_currency,
             any_value(currency) AS refund_currency, any_value(customer_id) AS refund_customer_id, any_value(order_id) AS refund_order_id,
             count(*) FILTER (WHERE quarantined) AS quarantined_refunds,
             list({'refundId': refund_id, 'amount': amount, 'currency': currency, 'issuedAt': ops_iso(issued_at), 'quarantined': quarantined} ORDER BY issued_at, refund_id) AS refund_list
      FROM ops_refund_facts WHERE return_id IS NOT NULL GROUP BY return_id
    ),
    closed AS (SELECT return_id, min(closed_at) AS closed_at, arg_min(outcome, closed_at) AS close_outcome FROM ops_src_return_closures GROUP BY return_id)
    SELECT ids.return_id,
           coalesce(rq.order_id, rf.refund_order_id) AS order_id,
           coalesce(rq.customer_id, rf.refund_customer_id) AS customer_id,
           rq.requested_at, rq.method, rq.resolution,
           lt.category, lt.seller_id, lt.expected_amount,
           ot.order_total,
           -- The currency the order was paid in (amounts are compared in it), else the refunds'.
           coalesce(lt.currency, ot.order_currency, rf.refund_order_currency, rf.refund_currency) AS currency,
           rc.received_at, ins.inspected_at, ins.conditions,
           rf.refunded_at, rf.last_refunded_at, rf.first_refund_amount, rf.refund_count, rf.refund_total, rf.refund_total_distinct,
           rf.quarantined_refunds, rf.foreign_currency_refunds, rf.refund_list,
           cl.closed_at, cl.close_outcome
    FROM ids
    LEFT JOIN request rq USING (return_id)
    LEFT JOIN line_totals lt USING (return_id)
    LEFT JOIN refunded rf USING (return_id)
    LEFT JOIN order_totals ot ON ot.order_id = coalesce(rq.order_id, rf.refund_order_id)
    LEFT JOIN receipts rc USING (return_id)
    LEFT JOIN inspected ins USING (return_id)
    LEFT JOIN closed cl USING (return_id)`);

  await connection.run(`
    CREATE OR REPLACE TEMP TABLE ops_order_refunds AS
    WITH order_totals_by_order AS (
      SELECT order_id, sum(unit_price * quantity) AS order_total, any_value(currency) AS currency, any_value(customer_id) AS customer_id,
             arg_max(category, {'value': unit_price * quantity, 'line': line_id}) AS category,
             arg_max(seller_id, {'value': unit_price * quantity, 'line': line_id}) AS seller_id
      FROM ops_src_order_lines GROUP BY order_id
    ),
    weighed AS (
      -- In the order's currency; a repeated amount on one return counts once, as in the return's own
      -- check (it is that return's duplicate_refund, reported as such).
      SELECT *, NOT foreign_currency AND (return_id IS NULL OR row_number() OVER (PARTITION BY return_id, amount, currency ORDER BY issued_at, refund_id) = 1) AS counted
      FROM ops_refund_facts
    ),
    -- What each return's refunds add once its own over_refund check has had its say: no more than
    -- that check allows (the returned lines' value, else the order's total), so the money a return's
    -- over_refund already reports is not reported again for its order.
    within_return_checks AS (
      SELECT w.order_id, sum(least(w.refunded, coalesce(f.expected_amount, o.order_total))) AS amount
      FROM (SELECT order_id, return_id, sum(amount) FILTER (WHERE counted) AS refunded FROM weighed WHERE return_id IS NOT NULL GROUP BY ALL) w
      JOIN order_totals_by_order o USING (order_id)
      LEFT JOIN ops_return_facts f USING (return_id)
      GROUP BY w.order_id
    )
    SELECT o.order_id, o.order_total, o.currency, o.customer_id, o.category, o.seller_id,
           -- Every refund of the order, with or without a return: two goodwill refunds of 800 on a
           -- 1000 order are 1600 paid back.
           coalesce(sum(r.amount) FILTER (WHERE r.counted), 0) AS refund_total,
           coalesce(sum(r.amount) FILTER (WHERE r.counted AND r.return_id IS NULL), 0) + coalesce(any_value(c.amount), 0) AS refund_total_within_return_checks,
           count(*) FILTER (WHERE r.foreign_currency) AS foreign_currency_refunds,
           -- Foreign refunds of a return are its own over_refund; those without one only show here.
           count(*) FILTER (WHERE r.foreign_currency AND r.return_id IS NULL) AS foreign_currency_refunds_without_return,
           count(*) FILTER (WHERE r.return_id IS NULL) AS refunds_without_return,
           count(*) FILTER (WHERE r.quarantined) AS quarantined_refunds,
           max(r.issued_at) AS last_refunded_at,
           list({'refundId': r.refund_id, 'returnId': r.return_id, 'amount': r.amount, 'currency': r.currency,
                 'issuedAt': ops_iso(r.issued_at), 'quarantined': r.quarantined} ORDER BY r.issued_at, r.refund_id) AS refund_list
    FROM weighed r JOIN order_totals_by_order o USING (order_id)
    LEFT JOIN within_return_checks c USING (order_id)
    GROUP BY o.order_id, o.order_total, o.currency, o.customer_id, o.category, o.seller_id`);
}
