import type { DuckDBConnection } from '@duckdb/node-api';

/** Product-fault return units of one category requested in one hour after the start of their delivery day. */
export interface FaultRequestHour {
  category: string;
  /** Whole hours from midnight (UTC) of the line's first-delivery day to the request. */
  hour: number;
  units: number;
}

/**
 * When product-fault returns arrive: for order lines first delivered in [start, end) (complete
 * cohorts, so every return within the horizon is in), the returned units with a product-fault
 * reason requested within `detectionDays` of delivery and by `now`, per category and hour counted
 * from midnight of the delivery day. The run's temporary table q_fault_reasons names the reasons.
 * Starts from the fault returns, a small share of all lines, rather than from every delivered line.
 */
export async function readFaultRequestHours(
  connection: DuckDBConnection,
  options: { start: string; end: string; now: Date; detectionDays: number },
): Promise<FaultRequestHour[]> {
  const reader = await connection.runAndReadAll(
    `WITH fault_returns AS (
       SELECT order_id, line_id, quantity, requested_at FROM return_lines
       WHERE reason IN (SELECT reason FROM q_fault_reasons) AND requested_at <= $now::TIMESTAMPTZ
         -- a return of a line first delivered in [start, end) within the horizon is requested in [start, end + horizon + 1 day)
         AND requested_at >= timezone('UTC', $start::DATE::TIMESTAMP)
         AND requested_at < timezone('UTC', $end::DATE::TIMESTAMP) + to_days($detectionDays::INTEGER + 1)
     ),
     first_delivery AS (
       -- the line's first delivery: a line-level one, or a whole-order one (line_id NULL), whichever is earlier
       SELECT ol.order_id, ol.line_id, any_value(ol.category) AS category, min(d.delivered_at) AS delivered_at
       FROM order_lines ol JOIN deliveries d ON d.order_id = ol.order_id AND (d.line_id IS NULL OR d.line_id = ol.line_id)
       WHERE ol.order_id IN (SELECT order_id FROM fault_returns) AND d.order_id IN (SELECT order_id FROM fault_returns)
         AND d.delivered_at <= $now::TIMESTAMPTZ
       GROUP BY ol.order_id, ol.line_id
     )
     SELECT f.category,
            floor(epoch(r.requested_at) / 3600 - epoch(timezone('UTC', f.delivered_at)::DATE::TIMESTAMP) / 3600)::INTEGER AS hour,
            sum(r.quantity)
     FROM fault_returns r JOIN first_delivery f ON f.order_id = r.order_id AND f.line_id = r.line_id
     WHERE timezone('UTC', f.delivered_at)::DATE >= $start::DATE AND timezone('UTC', f.delivered_at)::DATE < $end::DATE
       AND r.requested_at <= f.delivered_at + to_days($detectionDays::INTEGER)
     GROUP BY ALL ORDER BY 1, 2`,
    { start: options.start, end: options.end, now: options.now.toISOString(), detectionDays: options.detectionDays },
  );
  return reader.getRows().map((row) => ({ category: String(row[0]), hour: Number(row[1]), units: Number(row[2]) }));
}
