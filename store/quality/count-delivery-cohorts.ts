import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The bare aggregation the quality benchmark compares the job with: delivered units and units
 * returned within the return window per product × ISO delivery week, from the same facts with the
 * same first-delivery rule (line deliveries and whole-order deliveries) computed the same way as the
 * job does (store/quality/refresh-quality-cohorts.ts), in one statement, kept in a temporary table so
 * no rows travel to JavaScript. Days and windows are computed on epoch microseconds like the job's
 * (timezone() and TIMESTAMPTZ + INTERVAL go through ICU and cost several times more), so the
 * baseline is not handicapped by slower expressions. Returns the number of cohorts.
 */
export async function countDeliveryCohorts(connection: DuckDBConnection, options: { now: Date; windowDays: number }): Promise<number> {
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE bench_bare_cohorts AS
     WITH order_delivery AS (
       SELECT order_id, min(delivered_at) AS delivered_at FROM deliveries WHERE line_id IS NULL AND delivered_at <= $now::TIMESTAMPTZ GROUP BY order_id
     ),
     line_delivery AS (
       SELECT order_id, line_id, min(delivered_at) AS delivered_at FROM deliveries WHERE line_id IS NOT NULL AND delivered_at <= $now::TIMESTAMPTZ GROUP BY order_id, line_id
     ),
     lines AS (
       SELECT ol.order_id, ol.line_id, ol.product_id, ol.quantity, epoch_us(least(o.delivered_at, l.delivered_at)) AS delivered_us
       FROM order_lines ol
       LEFT JOIN order_delivery o ON o.order_id = ol.order_id
       LEFT JOIN line_delivery l ON l.order_id = ol.order_id AND l.line_id = ol.line_id
       WHERE o.delivered_at IS NOT NULL OR l.delivered_at IS NOT NULL
     ),
     returned AS (
       SELECT l.product_id, date_trunc('week', make_timestamp(l.delivered_us)::DATE)::DATE AS week, sum(rl.quantity) AS units
       FROM return_lines rl JOIN lines l ON l.order_id = rl.order_id AND l.line_id = rl.line_id
       WHERE epoch_us(rl.requested_at) - l.delivered_us <= $windowDays::BIGINT * 86400000000 AND rl.requested_at <= $now::TIMESTAMPTZ
       GROUP BY ALL
     ),
     delivered AS (
       SELECT product_id, date_trunc('week', make_timestamp(delivered_us)::DATE)::DATE AS week, sum(quantity) AS units FROM lines GROUP BY ALL
     )
     SELECT d.product_id, d.week, d.units AS delivered_units, coalesce(r.units, 0) AS returned_units
     FROM delivered d LEFT JOIN returned r ON r.product_id = d.product_id AND r.week = d.week`,
    { now: options.now.toISOString(), windowDays: options.windowDays },
  );
  const reader = await connection.runAndReadAll('SELECT count(*) FROM bench_bare_cohorts');
  return Number(reader.getRows()[0]?.[0] ?? 0);
}
