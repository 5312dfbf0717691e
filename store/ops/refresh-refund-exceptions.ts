import type { DuckDBConnection } from '@duckdb/node-api';
import type { OpsRunSettings } from './prepare-ops-facts.ts';
import { receiptsReportedSql } from '../receipts-reported.ts';

export interface RefundExceptionChanges {
  /** Conditions that hold now, one per (return, kind). */
  candidates: number;
  opened: number;
  reopened: number;
  resolved: number;
  openByKind: Record<string, number>;
}

/**
 * Every (return, kind) whose condition holds as of `now`, with its evidence. Needs prepareOpsFacts.
 * The rules (docs/ops.md has the reasons):
 * - over_refund: refunds, counting a repeated amount once, above the paid value of the returned lines
 *   (returned quantities capped at the ordered ones; the order's total when the lines are not stored);
 *   and, per order (return_id 'order:' + order id), all the order's refunds — goodwill ones without a
 *   return included, each return's counted up to what its own check allows — above the order's
 *   total. A refund in another currency than its order's always raises it (per return, or per order
 *   when it has no return);
 * - duplicate_refund: two or more refund ids of the same amount on one return;
 * - missing_refund: received, no refund, not closed rejected/withdrawn/expired, the SLA has passed;
 * - late_refund: the first refund came more than the SLA after the receipt;
 * - refund_without_receipt: refunded, never received, and the grace period after the refund passed
 *   (only where receipts are reported: at least 10% of return requests have one);
 * - outside_window: a line requested later than its category's window after its delivery.
 * keep_item returns expect no parcel, so they are never missing a refund after receipt or a receipt.
 */
const CANDIDATES_SQL = `
  CREATE OR REPLACE TEMP TABLE ops_exception_candidates AS
  WITH facts AS (
    SELECT *, received_at + to_days($slaDays::INTEGER) AS refund_due_at FROM ops_return_facts
  ),
  duplicate_groups AS (
    SELECT return_id, amount, count(*) AS copies,
           (list(issued_at ORDER BY issued_at))[2] AS repeated_at,
           list({'refundId': refund_id, 'issuedAt': ops_iso(issued_at), 'quarantined': quarantined} ORDER BY issued_at, refund_id) AS refunds
    FROM ops_refund_facts WHERE return_id IS NOT NULL
    GROUP BY return_id, amount, currency HAVING count(*) >= 2
  ),
  duplicates AS (
    SELECT return_id, min(repeated_at) AS observed_at, sum(amount * (copies - 1)) AS repeated_amount,
           list({'amount': amount, 'copies': copies, 'refunds': refunds} ORDER BY amount) AS groups
    FROM duplicate_groups GROUP BY return_id
  ),
  late_lines AS (
    SELECT return_id, min(requested_at) AS requested_at, sum(value) AS value,
           list({'lineId': line_id, 'category': category, 'deliveredAt': ops_iso(delivered_at), 'windowDays': window_days,
                 'daysAfterDelivery': round((epoch(requested_at) - epoch(delivered_at)) / 86400.0, 2)} ORDER BY line_id) AS lines
    FROM ops_return_lines
    WHERE delivered_at IS NOT NULL AND requested_at > delivered_at + to_days(window_days)
    GROUP BY return_id
  ),
  found AS (
    SELECT return_id, 'over_refund' AS kind, last_refunded_at AS observed_at,
           refund_total_distinct AS amount, coalesce(expected_amount, order_total) AS expected_amount,
           json_object('refunds', refund_list, 'paidForReturnedLines', expected_amount, 'orderTotal', order_total,
                       'comparedWith', CASE WHEN expected_amount IS NULL THEN 'order_total' ELSE 'returned_lines' END,
                       'currency', currency, 'foreignCurrencyRefunds', foreign_currency_refunds,
                       'quarantinedRefunds', quarantined_refunds) AS evidence
    FROM facts
    -- Refunds in a currency the order was not paid in are never within its paid value.
    WHERE refund_total_distinct > coalesce(expected_amount, order_total) OR foreign_currency_refunds > 0
    UNION ALL
    SELECT f.return_id, 'duplicate_refund', d.observed_at, f.refund_total, f.refund_total - d.repeated_amount,
           json_object('duplicates', d.groups, 'refunds', f.refund_list, 'paidForReturnedLines', f.expected_amount)
    FROM facts f JOIN duplicates d USING (return_id)
    UNION ALL
    SELECT return_id, 'missing_refund', refund_due_at, NULL, expected_amount,
           json_object('receivedAt', ops_iso(received_at), 'dueAt', ops_iso(refund_due_at), 'slaDays', $slaDays::INTEGER,
                       'inspectedAt', ops_iso(inspected_at), 'conditions', conditions, 'closedAt', ops_iso(closed_at), 'closeOutcome', close_outcome)
    FROM facts
    WHERE received_at IS NOT NULL AND refunded_at IS NULL AND resolution IS DISTINCT FROM 'keep_item'
      AND coalesce(close_outcome, '') NOT IN ('rejected', 'withdrawn', 'expired')
      AND refund_due_at <= $now::TIMESTAMPTZ
    UNION ALL
    SELECT return_id, 'late_refund', refunded_at, first_refund_amount, expected_amount,
           json_object('receivedAt', ops_iso(received_at), 'dueAt', ops_iso(refund_due_at), 'refundedAt', ops_iso(refunded_at), 'slaDays', $slaDays::INTEGER,
                       'daysLate', round((epoch(refunded_at) - epoch(refund_due_at)) / 86400.0, 2), 'refunds', refund_list)
    FROM facts WHERE received_at IS NOT NULL AND refunded_at > refund_due_at
    UNION ALL
    SELECT return_id, 'refund_without_receipt', refunded_at + to_days($graceDays::INTEGER), refund_total, expected_amount,
           json_object('refundedAt', ops_iso(refunded_at), 'requestedAt', ops_iso(requested_at), 'method', method, 'graceDays', $graceDays::INTEGER,
                       'closedAt', ops_iso(closed_at), 'closeOutcome', close_outcome, 'refunds', refund_list)
    FROM facts
    WHERE refunded_at IS NOT NULL AND received_at IS NULL AND resolution IS DISTINCT FROM 'keep_item'
      AND refunded_at + to_days($graceDays::INTEGER) <= $now::TIMESTAMPTZ
      -- Only where receipts are reported at all (store/receipts-reported.ts), as the risk features ask.
      AND ${receiptsReportedSql('ops_src_return_requests', 'ops_src_return_receipts')}
    UNION ALL
    SELECT f.return_id, 'outside_window', l.requested_at, l.value, NULL,
           json_object('requestedAt', ops_iso(l.requested_at), 'lines', l.lines)
    FROM facts f JOIN late_lines l USING (return_id)
  )
  SELECT 'rex_' || left(sha256(found.return_id || '|' || found.kind), 24) AS exception_id,
         found.return_id, found.kind, found.observed_at, found.amount, found.expected_amount, f.currency,
         found.evidence::VARCHAR AS evidence, f.customer_id, f.category, f.seller_id
  FROM found JOIN ops_return_facts f USING (return_id)
  UNION ALL
  -- The order as a whole: all its refunds, goodwill ones (no returnId) included, against what it cost.
  -- Such a row has no return, so its return_id is 'order:' + the order id.
  SELECT 'rex_' || left(sha256('order:' || order_id || '|over_refund'), 24), 'order:' || order_id, 'over_refund', last_refunded_at,
         refund_total, order_total, currency,
         json_object('scope', 'order', 'orderId', order_id, 'refunds', refund_list, 'orderTotal', order_total, 'comparedWith', 'order_total',
                     'refundedWithinReturnChecks', refund_total_within_return_checks,
                     'currency', currency, 'foreignCurrencyRefunds', foreign_currency_refunds, 'refundsWithoutReturn', refunds_without_return,
                     'quarantinedRefunds', quarantined_refunds)::VARCHAR,
         customer_id, category, seller_id
  FROM ops_order_refunds
  -- Only what the returns' own checks do not already report: a single return refunded 9000 for its
  -- 3000 line is that return's over_refund, not also its order's.
  WHERE refund_total_within_return_checks > order_total OR foreign_currency_refunds_without_return > 0`;

/**
 * Brings refund_exceptions up to date with the facts: a new (return, kind) condition is inserted
 * once, with this run as detected_at and its evidence frozen; a resolved one whose condition holds
 * again is reopened (same row, first evidence kept); an open one whose condition no longer holds is
 * resolved, with a resolution naming what settled it (e.g. a missing refund that finally came late
 * becomes `refunded_late`, and the same run opens its late_refund).
 */
export async function refreshRefundExceptions(connection: DuckDBConnection, settings: OpsRunSettings): Promise<RefundExceptionChanges> {
  const now = settings.now.toISOString();
  const policy = { slaDays: settings.refundSlaDays, graceDays: settings.receiptGraceDays, now };
  await connection.run(CANDIDATES_SQL, policy);
  const candidates = await count(connection, 'SELECT count(*) FROM ops_exception_candidates');

  const opened = await changedRows(
    connection,
    `INSERT INTO refund_exceptions
     SELECT c.exception_id, c.return_id, c.kind, $now::TIMESTAMPTZ, c.observed_at, c.amount, c.expected_amount, c.currency,
            c.evidence, 'open', NULL, NULL, c.customer_id, c.category, c.seller_id, $now::TIMESTAMPTZ
     FROM ops_exception_candidates c
     WHERE NOT EXISTS (SELECT 1 FROM refund_exceptions e WHERE e.exception_id = c.exception_id)`,
    { now },
  );
  const reopened = await changedRows(
    connection,
    `UPDATE refund_exceptions SET status = 'open', resolved_at = NULL, resolution = NULL, updated_at = $now::TIMESTAMPTZ
     WHERE status = 'resolved' AND exception_id IN (SELECT exception_id FROM ops_exception_candidates)`,
    { now },
  );
  const resolved = await changedRows(
    connection,
    `UPDATE refund_exceptions AS e
     SET status = 'resolved', resolved_at = $now::TIMESTAMPTZ, updated_at = $now::TIMESTAMPTZ,
         resolution = coalesce((
           SELECT CASE e.kind
             WHEN 'missing_refund' THEN CASE
               WHEN f.refunded_at > f.received_at + to_days($slaDays::INTEGER) THEN 'refunded_late'
               WHEN f.refunded_at IS NOT NULL THEN 'refund_found_within_sla'
               WHEN f.close_outcome IN ('rejected', 'withdrawn', 'expired') THEN 'closed_without_refund' END
             WHEN 'refund_without_receipt' THEN CASE WHEN f.received_at IS NOT NULL THEN 'receipt_arrived' END
             WHEN 'late_refund' THEN CASE WHEN f.refunded_at <= f.received_at + to_days($slaDays::INTEGER) THEN 'earlier_refund_found' END
             WHEN 'duplicate_refund' THEN 'duplicate_reversed'
             WHEN 'over_refund' THEN 'refunds_within_paid_value'
             WHEN 'outside_window' THEN 'within_window'
           END
           FROM ops_return_facts f WHERE f.return_id = e.return_id
         ), CASE WHEN e.kind = 'over_refund' THEN 'refunds_within_paid_value' END, 'condition_cleared')
     WHERE e.status = 'open' AND e.exception_id NOT IN (SELECT exception_id FROM ops_exception_candidates)`,
    { now, slaDays: settings.refundSlaDays },
  );
  const byKind = await connection.runAndReadAll(`SELECT kind, count(*)::INTEGER AS n FROM refund_exceptions WHERE status = 'open' GROUP BY kind ORDER BY kind`);
  const openByKind: Record<string, number> = {};
  for (const [kind, n] of byKind.getRows()) openByKind[String(kind)] = Number(n);
  return { candidates, opened, reopened, resolved, openByKind };
}

async function count(connection: DuckDBConnection, sql: string): Promise<number> {
  const reader = await connection.runAndReadAll(sql);
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

async function changedRows(connection: DuckDBConnection, sql: string, values: Record<string, string | number>): Promise<number> {
  const result = await connection.run(sql, values);
  return Number(result.rowsChanged);
}
