/**
 * Whether a data source reports return receipts at all: at least MIN_RECEIPT_COVERAGE of its
 * return requests have a receipt. Only then is a missing receipt evidence — for the risk features
 * (refunds and requests whose parcel never arrived) and the ops job (refund_without_receipt). A
 * backfill of sales and credit notes has no warehouse events, and every refund would look like one
 * for goods that never came back.
 */

import type { DuckDBConnection } from '@duckdb/node-api';

/** Low, since requests lapse and "keep the item" resolutions ship nothing, but zero where receipts are never reported. */
export const MIN_RECEIPT_COVERAGE = 0.1;

/**
 * A boolean SQL expression over the given tables (or views) of return requests and receipts.
 *
 * @example
 * `… WHERE ${receiptsReportedSql('return_requests', 'return_receipts')}`
 */
export function receiptsReportedSql(requests: string, receipts: string): string {
  return `(SELECT coalesce(count(DISTINCT rc.return_id) / nullif(count(DISTINCT rq.return_id), 0), 0) >= ${MIN_RECEIPT_COVERAGE}
     FROM ${requests} rq LEFT JOIN (SELECT DISTINCT return_id FROM ${receipts}) rc ON rc.return_id = rq.return_id)`;
}

/**
 * Whether the database's return requests and receipts report receipts (a scan of every return):
 * asked once, and then passed to the queries that need it as a parameter.
 */
export async function readReceiptsReported(connection: DuckDBConnection): Promise<boolean> {
  const reader = await connection.runAndReadAll(`SELECT ${receiptsReportedSql('return_requests', 'return_receipts')}`);
  return reader.getRows()[0]?.[0] === true;
}
