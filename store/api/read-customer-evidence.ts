/**
 * The evidence a reviewer reads next to a flag: the customer's timeline of orders, deliveries,
 * returns, receipts, inspections, refunds, closures, claims, feedback and past decisions, and the
 * accounts of its ring (linked through a shared address, payment instrument or device).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { toIsoTime } from '../to-iso-time.ts';

export interface TimelineEntry {
  at: string;
  kind: string;
  id: string;
  details: Record<string, unknown>;
}

export interface LinkedAccount {
  customerId: string;
  via: string[];
  ringId: string;
  /** The account's latest score and tier (customer_scores); null when it was never scored or could not be. */
  score: number | null;
  tier: string | null;
  /** Its open flag, if any: a ring is reviewed account by account. */
  openFlagId: string | null;
}

// Every fact is looked up in an index (migration 015): by customer_id, or by order or return id from
// the customer's orders and returns (read once: MATERIALIZED, a CTE used twice is otherwise read
// twice). The facts are collected in a MATERIALIZED CTE before ORDER BY … LIMIT: otherwise DuckDB
// pushes the top-N's running bound into each table scan as a second filter, and a scan with two
// filters reads the whole table instead of the index (docs/api.md § Read routes on a real-sized database).
const TIMELINE_SQL = `
WITH customer_orders AS MATERIALIZED (SELECT order_id, placed_at, currency, channel FROM orders WHERE customer_id = $customerId),
customer_returns AS MATERIALIZED (SELECT return_id, order_id, requested_at, method, resolution FROM return_requests WHERE customer_id = $customerId),
order_totals AS (
  SELECT order_id, count(*) AS lines, sum(quantity * unit_price) AS value FROM order_lines
  WHERE order_id IN (SELECT order_id FROM customer_orders) GROUP BY order_id
),
return_line_lists AS (
  SELECT return_id, list(json_object('productId', product_id, 'quantity', quantity, 'reason', reason)) AS lines FROM return_lines
  WHERE return_id IN (SELECT return_id FROM customer_returns) GROUP BY return_id
),
facts AS MATERIALIZED (
  SELECT o.placed_at AS occurred_at, 'order.placed' AS kind, o.order_id AS id,
         json_object('currency', o.currency, 'channel', o.channel, 'lines', coalesce(t.lines, 0), 'value', coalesce(t.value, 0)::DOUBLE) AS details
  FROM customer_orders o LEFT JOIN order_totals t ON t.order_id = o.order_id
  UNION ALL
  SELECT d.delivered_at, 'order.delivered', d.order_id, json_object('lineId', d.line_id) FROM deliveries d WHERE d.customer_id = $customerId
  UNION ALL
  SELECT r.requested_at, 'return.requested', r.return_id,
         json_object('orderId', r.order_id, 'method', r.method, 'resolution', r.resolution, 'lines', l.lines)
  FROM customer_returns r LEFT JOIN return_line_lists l ON l.return_id = r.return_id
  UNION ALL
  SELECT min(x.received_at), 'return.received', x.return_id, json_object('units', sum(x.quantity)::INTEGER, 'weightGrams', max(x.weight_grams))
  FROM return_receipts x WHERE x.return_id IN (SELECT return_id FROM customer_returns) GROUP BY x.return_id
  UNION ALL
  SELECT min(i.inspected_at), 'return.inspected', i.return_id,
         json_object('lines', list(json_object('lineId', i.line_id, 'condition', i.condition, 'fault', i.fault, 'disposition', i.disposition)))
  FROM inspections i WHERE i.return_id IN (SELECT return_id FROM customer_returns) GROUP BY i.return_id
  UNION ALL
  SELECT f.issued_at, 'refund.issued', f.refund_id,
         json_object('returnId', f.return_id, 'orderId', f.order_id, 'amount', f.amount::DOUBLE, 'currency', f.currency, 'method', f.method)
  FROM refunds f WHERE f.customer_id = $customerId
  UNION ALL
  SELECT c.closed_at, 'return.closed', c.return_id, json_object('outcome', c.outcome)
  FROM return_closures c WHERE c.return_id IN (SELECT return_id FROM customer_returns)
  UNION ALL
  SELECT c.opened_at, 'claim.opened', c.claim_id, json_object('orderId', c.order_id, 'kind', c.kind) FROM claims c WHERE c.customer_id = $customerId
  UNION ALL
  SELECT b.submitted_at, 'return.feedback', b.return_id, json_object('rating', b.rating, 'comment', b.comment) FROM return_feedback b WHERE b.customer_id = $customerId
  UNION ALL
  SELECT d.decided_at, 'risk.decision', d.decision_id,
         json_object('flagId', d.flag_id, 'verdict', d.verdict, 'fraudType', d.fraud_type, 'decidedBy', d.decided_by, 'note', d.note)
  FROM risk_decisions d WHERE d.customer_id = $customerId
)
SELECT occurred_at, kind, id, details FROM facts
ORDER BY occurred_at DESC, kind, id
LIMIT $limit`;

/**
 * The customer's most recent facts, newest first.
 * @example
 * const timeline = await readCustomerTimeline(connection, { customerId: 'cus_1', limit: 500 });
 */
export async function readCustomerTimeline(connection: DuckDBConnection, options: { customerId: string; limit: number }): Promise<TimelineEntry[]> {
  const reader = await connection.runAndReadAll(TIMELINE_SQL, { customerId: options.customerId, limit: options.limit });
  return reader.getRowObjectsJS().map((row) => ({
    at: toIsoTime(row['occurred_at'])!,
    kind: String(row['kind']),
    id: String(row['id']),
    details: stripNulls(JSON.parse(String(row['details'])) as Record<string, unknown>),
  }));
}

/** Absent rather than null, so the JSON stays small and matches optional schema fields. */
function stripNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null));
}

/**
 * The customer's ring: the accounts linked to it directly, with every attribute they share, then the
 * other members of its ring (linked only through another member: `via` is empty), so the evidence
 * shows every account a ring reason counts.
 */
export async function readLinkedAccounts(connection: DuckDBConnection, customerId: string): Promise<LinkedAccount[]> {
  const reader = await connection.runAndReadAll(
    `WITH direct AS (
       SELECT linked_customer_id AS member_id, list(DISTINCT via ORDER BY via) AS via, min(ring_id) AS ring_id
       FROM customer_links WHERE customer_id = $customerId AND linked_customer_id <> $customerId
       GROUP BY linked_customer_id),
     ring AS (
       SELECT customer_id AS member_id, ring_id FROM customer_ring_members
       WHERE ring_id = (SELECT ring_id FROM customer_ring_members WHERE customer_id = $customerId) AND customer_id <> $customerId)
     SELECT m.member_id, m.via, m.ring_id, s.score, s.tier, f.flag_id AS open_flag_id
     FROM (
       SELECT member_id, coalesce(direct.via, []::VARCHAR[]) AS via, coalesce(direct.ring_id, ring.ring_id) AS ring_id, direct.member_id IS NULL AS indirect
       FROM direct FULL OUTER JOIN ring USING (member_id)
     ) m
     LEFT JOIN customer_scores s ON s.customer_id = m.member_id
     LEFT JOIN risk_flags f ON f.customer_id = m.member_id AND f.status = 'open'
     ORDER BY m.indirect, m.member_id`,
    { customerId },
  );
  return reader.getRowObjectsJS().map((row) => ({
    customerId: String(row['member_id']),
    via: (row['via'] as unknown[]).map(String),
    ringId: String(row['ring_id']),
    score: row['score'] === null ? null : Number(row['score']),
    tier: row['tier'] === null || row['tier'] === 'unscored' ? null : String(row['tier']),
    openFlagId: row['open_flag_id'] === null ? null : String(row['open_flag_id']),
  }));
}
