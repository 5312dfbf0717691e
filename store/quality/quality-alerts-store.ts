import type { DuckDBConnection } from '@duckdb/node-api';

export type QualityAlertStatus = 'new' | 'ongoing' | 'resolved';

/** One row of quality_alerts (docs/quality.md describes each column). */
export interface QualityAlertRow {
  alertId: number;
  productId: string;
  category: string | null;
  sellerId: string | null;
  periodStart: string;
  metric: string;
  windowStart: string;
  windowEnd: string;
  baselineStart: string;
  baselineEnd: string;
  baselineRate: number | null;
  currentRate: number | null;
  currentLow: number | null;
  currentHigh: number | null;
  pValue: number | null;
  qValue: number | null;
  deliveredUnits: number;
  currentUnits: number;
  baselineUnits: number;
  baselineEvents: number;
  baselineReasons: string | null;
  status: QualityAlertStatus;
  severity: number;
  topReasons: string;
  topCommentWords: string;
  firstDetectedAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

export type NewQualityAlert = Omit<QualityAlertRow, 'alertId' | 'resolvedAt'>;

const COLUMNS = `alert_id, product_id, category, seller_id, period_start::VARCHAR, metric, window_start::VARCHAR, window_end::VARCHAR,
  baseline_start::VARCHAR, baseline_end::VARCHAR, baseline_rate, current_rate, current_low, current_high, p_value, q_value,
  delivered_units, current_units, baseline_units, baseline_events, baseline_reasons, status, severity, top_reasons, top_comment_words,
  strftime(first_detected_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'), strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'),
  strftime(resolved_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`;

/** Alerts not yet resolved, at most one per (product, metric) by construction. */
export async function readOpenQualityAlerts(connection: DuckDBConnection): Promise<QualityAlertRow[]> {
  return readAlerts(connection, "WHERE status IN ('new', 'ongoing')");
}

/** Every alert, oldest first (evaluation and tests). */
export async function readAllQualityAlerts(connection: DuckDBConnection): Promise<QualityAlertRow[]> {
  return readAlerts(connection, '');
}

async function readAlerts(connection: DuckDBConnection, where: string): Promise<QualityAlertRow[]> {
  const reader = await connection.runAndReadAll(`SELECT ${COLUMNS} FROM quality_alerts ${where} ORDER BY alert_id`);
  return reader.getRows().map((row) => ({
    alertId: Number(row[0]),
    productId: String(row[1]),
    category: nullableString(row[2]),
    sellerId: nullableString(row[3]),
    periodStart: String(row[4]),
    metric: String(row[5]),
    windowStart: String(row[6]),
    windowEnd: String(row[7]),
    baselineStart: String(row[8]),
    baselineEnd: String(row[9]),
    baselineRate: nullableNumber(row[10]),
    currentRate: nullableNumber(row[11]),
    currentLow: nullableNumber(row[12]),
    currentHigh: nullableNumber(row[13]),
    pValue: nullableNumber(row[14]),
    qValue: nullableNumber(row[15]),
    deliveredUnits: Number(row[16]),
    currentUnits: Number(row[17]),
    baselineUnits: Number(row[18]),
    baselineEvents: Number(row[19]),
    baselineReasons: nullableString(row[20]),
    status: String(row[21]) as QualityAlertStatus,
    severity: Number(row[22]),
    topReasons: String(row[23]),
    topCommentWords: String(row[24]),
    firstDetectedAt: String(row[25]),
    updatedAt: String(row[26]),
    resolvedAt: nullableString(row[27]),
  }));
}

export async function insertQualityAlert(connection: DuckDBConnection, alert: NewQualityAlert): Promise<void> {
  await connection.run(
    `INSERT INTO quality_alerts (product_id, category, seller_id, period_start, metric, window_start, window_end, baseline_start, baseline_end,
       baseline_rate, current_rate, current_low, current_high, p_value, q_value, delivered_units, current_units, baseline_units, baseline_events,
       baseline_reasons, status, severity, top_reasons, top_comment_words, first_detected_at, updated_at)
     VALUES ($productId, $category, $sellerId, $periodStart::DATE, $metric, $windowStart::DATE, $windowEnd::DATE, $baselineStart::DATE, $baselineEnd::DATE,
       $baselineRate, $currentRate, $currentLow, $currentHigh, $pValue, $qValue, $deliveredUnits, $currentUnits, $baselineUnits, $baselineEvents,
       $baselineReasons, $status, $severity, $topReasons, $topCommentWords, $firstDetectedAt::TIMESTAMPTZ, $updatedAt::TIMESTAMPTZ)`,
    { ...alert },
  );
}

/**
 * Products with a product-fault episode somewhere in [start, end) (delivery days): a fault alert
 * whose detection window (the `windowDays` before it was first detected) began before `end` and
 * that was open after `start` (still open, or resolved later). Their reason mix over that span is
 * not a normal one to compare with.
 */
export async function readProductsWithFaultEpisode(
  connection: DuckDBConnection,
  span: { start: string; end: string; now: string; windowDays: number },
): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    `SELECT DISTINCT product_id FROM quality_alerts
     WHERE metric = 'product_fault_rate' AND first_detected_at - to_days($windowDays::INTEGER) < $end::DATE::TIMESTAMPTZ
       AND coalesce(resolved_at, $now::TIMESTAMPTZ) > $start::DATE::TIMESTAMPTZ AND first_detected_at <= $now::TIMESTAMPTZ`,
    span,
  );
  return new Set(reader.getRows().map((row) => String(row[0])));
}

/**
 * Takes the alerts back to what a run as of `now` knew, for a run whose `now` is earlier than the
 * last one (a replay of history, the demo started again): alerts first detected after `now` are
 * removed (the replay finds them again if they still hold) and alerts resolved after `now` are
 * open again. Without it, every replay added a second copy of each alert. Their notifications go
 * with them: a re-detected alert is announced again. Returns how many alerts were removed and reopened.
 */
export async function rewindQualityAlerts(connection: DuckDBConnection, now: string): Promise<{ removed: number; reopened: number }> {
  const later = `SELECT alert_id FROM quality_alerts WHERE first_detected_at > $now::TIMESTAMPTZ`;
  await connection.run(`DELETE FROM quality_alert_publications WHERE alert_id IN (${later})`, { now });
  const removed = await connection.run(`DELETE FROM quality_alerts WHERE first_detected_at > $now::TIMESTAMPTZ`, { now });
  await connection.run(
    `UPDATE quality_alert_publications SET resolved_published_at = NULL
     WHERE alert_id IN (SELECT alert_id FROM quality_alerts WHERE resolved_at > $now::TIMESTAMPTZ)`,
    { now },
  );
  const reopened = await connection.run(
    `UPDATE quality_alerts SET status = 'ongoing', resolved_at = NULL, updated_at = $now::TIMESTAMPTZ WHERE resolved_at > $now::TIMESTAMPTZ`,
    { now },
  );
  return { removed: Number(removed.rowsChanged), reopened: Number(reopened.rowsChanged) };
}

/** What a later evaluation changes on an open alert: its status and the latest window's evidence. */
export interface QualityAlertUpdate {
  alertId: number;
  status: QualityAlertStatus;
  windowStart: string;
  windowEnd: string;
  currentRate: number | null;
  currentLow: number | null;
  currentHigh: number | null;
  deliveredUnits: number;
  currentUnits: number;
  severity: number;
  topReasons: string;
  topCommentWords: string;
  updatedAt: string;
  resolvedAt: string | null;
}

export async function updateQualityAlert(connection: DuckDBConnection, update: QualityAlertUpdate): Promise<void> {
  await connection.run(
    `UPDATE quality_alerts SET status = $status, window_start = $windowStart::DATE, window_end = $windowEnd::DATE,
       current_rate = $currentRate, current_low = $currentLow, current_high = $currentHigh, delivered_units = $deliveredUnits,
       current_units = $currentUnits, severity = $severity, top_reasons = $topReasons, top_comment_words = $topCommentWords,
       updated_at = $updatedAt::TIMESTAMPTZ, resolved_at = $resolvedAt::TIMESTAMPTZ
     WHERE alert_id = $alertId`,
    { ...update },
  );
}

function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** A nullable numeric column (DOUBLE, BIGINT, HUGEINT…) as a number or null. */
export function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
