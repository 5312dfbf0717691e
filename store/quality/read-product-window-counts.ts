import type { DuckDBConnection } from '@duckdb/node-api';
import { REASON_COLUMNS } from './reason-columns.ts';

/** Delivery-day ranges [start, end) as 'YYYY-MM-DD' (UTC days). */
export interface DetectionWindows {
  currentStart: string;
  currentEnd: string;
  baselineStart: string;
  baselineEnd: string;
}

/** Per product: delivered units, and returns within the detection horizon, in the current window and the baseline. */
export interface ProductWindowCounts {
  productId: string;
  category: string;
  sellerId: string | null;
  currentDelivered: number;
  currentFault: number;
  currentReturned: number;
  baselineDelivered: number;
  baselineFault: number;
  baselineReturned: number;
}

/**
 * Sums quality_cohort_base over the two windows for every product delivered in either (the caller
 * applies the minimum-units rule). Counts are "returned within the detection horizon of delivery",
 * the same age for every cohort involved.
 */
export async function readProductWindowCounts(connection: DuckDBConnection, windows: DetectionWindows): Promise<ProductWindowCounts[]> {
  const reader = await connection.runAndReadAll(
    `SELECT product_id,
            arg_max(category, (delivered_units, category)), arg_max(seller_id, (delivered_units, seller_id)),
            coalesce(sum(delivered_units) FILTER (WHERE in_current), 0),
            coalesce(sum(product_fault_within_detection_units) FILTER (WHERE in_current), 0),
            coalesce(sum(returned_within_detection_units) FILTER (WHERE in_current), 0),
            coalesce(sum(delivered_units) FILTER (WHERE NOT in_current), 0),
            coalesce(sum(product_fault_within_detection_units) FILTER (WHERE NOT in_current), 0),
            coalesce(sum(returned_within_detection_units) FILTER (WHERE NOT in_current), 0)
     FROM (
       SELECT *, day >= $currentStart::DATE AND day < $currentEnd::DATE AS in_current FROM quality_cohort_base
       WHERE (day >= $currentStart::DATE AND day < $currentEnd::DATE) OR (day >= $baselineStart::DATE AND day < $baselineEnd::DATE)
     )
     GROUP BY product_id ORDER BY product_id`,
    { ...windows },
  );
  return reader.getRows().map((row) => ({
    productId: String(row[0]),
    category: String(row[1]),
    sellerId: row[2] === null ? null : String(row[2]),
    currentDelivered: Number(row[3]),
    currentFault: Number(row[4]),
    currentReturned: Number(row[5]),
    baselineDelivered: Number(row[6]),
    baselineFault: Number(row[7]),
    baselineReturned: Number(row[8]),
  }));
}

/** Returned units within the detection horizon per product and reason, in the current window and the baseline. */
export interface ProductReasonCounts {
  productId: string;
  reason: string;
  current: number;
  baseline: number;
}

export async function readProductReasonCounts(connection: DuckDBConnection, windows: DetectionWindows): Promise<ProductReasonCounts[]> {
  const current = 'day >= $currentStart::DATE AND day < $currentEnd::DATE';
  const baseline = 'day >= $baselineStart::DATE AND day < $baselineEnd::DATE';
  const reader = await connection.runAndReadAll(
    `SELECT product_id,
            ${REASON_COLUMNS.map((column) => `coalesce(sum(${column.detection}) FILTER (WHERE ${current}), 0), coalesce(sum(${column.detection}) FILTER (WHERE ${baseline}), 0)`).join(',\n            ')}
     FROM quality_cohort_base
     WHERE (${current}) OR (${baseline})
     GROUP BY product_id HAVING sum(returned_within_detection_units) > 0 ORDER BY product_id`,
    { ...windows },
  );
  const result: ProductReasonCounts[] = [];
  for (const row of reader.getRows()) {
    REASON_COLUMNS.forEach((column, index) => {
      const currentUnits = Number(row[1 + 2 * index]);
      const baselineUnits = Number(row[2 + 2 * index]);
      if (currentUnits > 0 || baselineUnits > 0) result.push({ productId: String(row[0]), reason: column.reason, current: currentUnits, baseline: baselineUnits });
    });
  }
  return result;
}

/**
 * Free-text comments of the product's returns delivered in [start, end) and requested by `now`
 * (product-fault reasons only when `productFaultOnly`), for the alert's top comment words.
 */
export async function readProductReturnComments(
  connection: DuckDBConnection,
  options: { productId: string; start: string; end: string; now: Date; productFaultOnly: boolean },
): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `WITH lines AS (
       SELECT ol.order_id, ol.line_id, min(d.delivered_at) AS delivered_at
       FROM order_lines ol JOIN deliveries d ON d.order_id = ol.order_id AND (d.line_id IS NULL OR d.line_id = ol.line_id)
       WHERE ol.product_id = $productId AND d.delivered_at <= $now::TIMESTAMPTZ
       GROUP BY ol.order_id, ol.line_id
     )
     SELECT rl.comment FROM return_lines rl JOIN lines l ON l.order_id = rl.order_id AND l.line_id = rl.line_id
     WHERE rl.comment IS NOT NULL AND rl.requested_at <= $now::TIMESTAMPTZ
       AND timezone('UTC', l.delivered_at)::DATE >= $start::DATE AND timezone('UTC', l.delivered_at)::DATE < $end::DATE
       AND (NOT $productFaultOnly OR rl.reason IN (SELECT reason FROM q_fault_reasons))
     ORDER BY rl.event_id, rl.line_id`,
    { productId: options.productId, start: options.start, end: options.end, now: options.now.toISOString(), productFaultOnly: options.productFaultOnly },
  );
  return reader.getRows().map((row) => String(row[0]));
}
