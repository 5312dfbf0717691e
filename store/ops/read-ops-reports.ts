/**
 * Reads of the ops result tables for the API: stage-time percentiles, stuck returns, refund
 * exceptions (filters, keyset pagination newest first) and the feedback summary.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface StagePercentileRow {
  dimension: string;
  dimensionValue: string;
  week: string | null;
  stage: string;
  count: number;
  p50Hours: number;
  p90Hours: number;
  p99Hours: number;
}

export interface StageTimeFilter {
  dimension: string;
  value?: string;
  stage?: string;
  /** Weekly rows (true) or over all weeks (false). */
  weekly: boolean;
  /** First and last week (Mondays, YYYY-MM-DD) of weekly rows. */
  from?: string;
  to?: string;
  limit: number;
}

export async function readStagePercentiles(connection: DuckDBConnection, filter: StageTimeFilter): Promise<StagePercentileRow[]> {
  const reader = await connection.runAndReadAll(
    `SELECT dimension, dimension_value, strftime(week, '%Y-%m-%d') AS week, stage, count::DOUBLE AS count, p50_hours, p90_hours, p99_hours
     FROM ops_stage_percentiles
     WHERE dimension = $dimension
       AND ($value::VARCHAR IS NULL OR dimension_value = $value)
       AND ($stage::VARCHAR IS NULL OR stage = $stage)
       AND (CASE WHEN $weekly THEN week IS NOT NULL ELSE week IS NULL END)
       AND ($from::DATE IS NULL OR week >= $from::DATE)
       AND ($to::DATE IS NULL OR week <= $to::DATE)
     ORDER BY week NULLS FIRST, stage, dimension_value
     LIMIT $limit`,
    { dimension: filter.dimension, value: filter.value ?? null, stage: filter.stage ?? null, weekly: filter.weekly, from: filter.from ?? null, to: filter.to ?? null, limit: filter.limit },
  );
  return reader.getRowObjectsJS().map((row) => ({
    dimension: String(row['dimension']),
    dimensionValue: String(row['dimension_value']),
    week: row['week'] === null ? null : String(row['week']),
    stage: String(row['stage']),
    count: Number(row['count']),
    p50Hours: Number(row['p50_hours']),
    p90Hours: Number(row['p90_hours']),
    p99Hours: Number(row['p99_hours']),
  }));
}

export interface StuckReturnRow {
  returnId: string;
  stage: string;
  since: string;
  ageHours: number;
  limitHours: number;
  customerId: string;
  category: string | null;
  sellerId: string | null;
  method: string;
}

export async function readStuckReturns(connection: DuckDBConnection, filter: { stage?: string; limit: number }): Promise<StuckReturnRow[]> {
  const reader = await connection.runAndReadAll(
    `SELECT return_id, stage, strftime(since AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS since, age_hours, limit_hours, customer_id, category, seller_id, method
     FROM ops_stuck_returns WHERE ($stage::VARCHAR IS NULL OR stage = $stage)
     ORDER BY age_hours DESC, return_id LIMIT $limit`,
    { stage: filter.stage ?? null, limit: filter.limit },
  );
  return reader.getRowObjectsJS().map((row) => ({
    returnId: String(row['return_id']),
    stage: String(row['stage']),
    since: String(row['since']),
    ageHours: Number(row['age_hours']),
    limitHours: Number(row['limit_hours']),
    customerId: String(row['customer_id']),
    category: row['category'] === null ? null : String(row['category']),
    sellerId: row['seller_id'] === null ? null : String(row['seller_id']),
    method: String(row['method']),
  }));
}

export interface RefundExceptionRow {
  exceptionId: string;
  returnId: string;
  kind: string;
  detectedAt: string;
  observedAt: string | null;
  amount: number | null;
  expectedAmount: number | null;
  currency: string | null;
  evidence: unknown;
  status: string;
  resolvedAt: string | null;
  resolution: string | null;
  customerId: string | null;
  category: string | null;
  sellerId: string | null;
}

export interface RefundExceptionFilter {
  kind?: string;
  status?: string;
  category?: string;
  sellerId?: string;
  customerId?: string;
  /** Detected at or after (RFC 3339). */
  since?: string;
  /** The last row of the previous page. */
  after?: { detectedAt: string; exceptionId: string };
  limit: number;
}

const ISO = (column: string) => `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`;

/** Newest detections first; reads limit + 1 rows to tell whether another page exists. */
export async function readRefundExceptions(connection: DuckDBConnection, filter: RefundExceptionFilter): Promise<{ exceptions: RefundExceptionRow[]; hasMore: boolean }> {
  const reader = await connection.runAndReadAll(
    `SELECT exception_id, return_id, kind, ${ISO('detected_at')} AS detected_at, ${ISO('observed_at')} AS observed_at, amount::DOUBLE AS amount,
            expected_amount::DOUBLE AS expected_amount, currency, evidence, status, ${ISO('resolved_at')} AS resolved_at, resolution,
            customer_id, category, seller_id
     FROM refund_exceptions
     WHERE ($kind::VARCHAR IS NULL OR kind = $kind)
       AND ($status::VARCHAR IS NULL OR status = $status)
       AND ($category::VARCHAR IS NULL OR category = $category)
       AND ($seller::VARCHAR IS NULL OR seller_id = $seller)
       AND ($customer::VARCHAR IS NULL OR customer_id = $customer)
       AND ($since::TIMESTAMPTZ IS NULL OR detected_at >= $since::TIMESTAMPTZ)
       AND ($afterAt::TIMESTAMPTZ IS NULL OR (date_trunc('millisecond', detected_at), exception_id) < ($afterAt::TIMESTAMPTZ, $afterId::VARCHAR))
     -- Milliseconds, like the cursor, so paging never skips or repeats a row.
     ORDER BY date_trunc('millisecond', detected_at) DESC, exception_id DESC
     LIMIT $limit`,
    {
      kind: filter.kind ?? null,
      status: filter.status ?? null,
      category: filter.category ?? null,
      seller: filter.sellerId ?? null,
      customer: filter.customerId ?? null,
      since: filter.since ?? null,
      afterAt: filter.after?.detectedAt ?? null,
      afterId: filter.after?.exceptionId ?? null,
      limit: filter.limit + 1,
    },
  );
  const rows = reader.getRowObjectsJS().map((row) => ({
    exceptionId: String(row['exception_id']),
    returnId: String(row['return_id']),
    kind: String(row['kind']),
    detectedAt: String(row['detected_at']),
    observedAt: row['observed_at'] === null ? null : String(row['observed_at']),
    amount: row['amount'] === null ? null : Number(row['amount']),
    expectedAmount: row['expected_amount'] === null ? null : Number(row['expected_amount']),
    currency: row['currency'] === null ? null : String(row['currency']),
    evidence: JSON.parse(String(row['evidence'])) as unknown,
    status: String(row['status']),
    resolvedAt: row['resolved_at'] === null ? null : String(row['resolved_at']),
    resolution: row['resolution'] === null ? null : String(row['resolution']),
    customerId: row['customer_id'] === null ? null : String(row['customer_id']),
    category: row['category'] === null ? null : String(row['category']),
    sellerId: row['seller_id'] === null ? null : String(row['seller_id']),
  }));
  return { exceptions: rows.slice(0, filter.limit), hasMore: rows.length > filter.limit };
}

export interface FeedbackSummaryRow {
  dimension: string;
  dimensionValue: string;
  responses: number;
  meanRating: number;
  lowRatingShare: number;
  comments: number;
  recentComments: string[];
}

export interface FeedbackLinkRow {
  factor: string;
  factorValue: string;
  withResponses: number;
  withMeanRating: number | null;
  withoutResponses: number;
  withoutMeanRating: number | null;
  ratingDifference: number | null;
}

export async function readFeedbackSummary(connection: DuckDBConnection, filter: { dimension?: string }): Promise<{ summary: FeedbackSummaryRow[]; links: FeedbackLinkRow[] }> {
  const summary = await connection.runAndReadAll(
    `SELECT dimension, dimension_value, responses::DOUBLE AS responses, mean_rating, low_rating_share, comments::DOUBLE AS comments, recent_comments
     FROM ops_feedback_summary WHERE ($dimension::VARCHAR IS NULL OR dimension = $dimension)
     ORDER BY dimension, responses DESC, dimension_value`,
    { dimension: filter.dimension ?? null },
  );
  const links = await connection.runAndReadAll(
    `SELECT factor, factor_value, with_responses::DOUBLE AS w, with_mean_rating, without_responses::DOUBLE AS wo, without_mean_rating, rating_difference
     FROM ops_feedback_links ORDER BY factor, factor_value`,
  );
  const nullableNumber = (value: unknown) => (value === null ? null : Number(value));
  return {
    summary: summary.getRowObjectsJS().map((row) => ({
      dimension: String(row['dimension']),
      dimensionValue: String(row['dimension_value']),
      responses: Number(row['responses']),
      meanRating: Number(row['mean_rating']),
      lowRatingShare: Number(row['low_rating_share']),
      comments: Number(row['comments']),
      recentComments: JSON.parse(String(row['recent_comments'])) as string[],
    })),
    links: links.getRowObjectsJS().map((row) => ({
      factor: String(row['factor']),
      factorValue: String(row['factor_value']),
      withResponses: Number(row['w']),
      withMeanRating: nullableNumber(row['with_mean_rating']),
      withoutResponses: Number(row['wo']),
      withoutMeanRating: nullableNumber(row['without_mean_rating']),
      ratingDifference: nullableNumber(row['rating_difference']),
    })),
  };
}
