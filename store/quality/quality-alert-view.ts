/**
 * A quality alert as readers see it — GET /v1/alerts and the messages published when alerts open
 * and resolve — and what has been published of them (quality_alert_publications, migration 011).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { toIsoDate, toIsoTime } from '../to-iso-time.ts';
import { nullableNumber } from './quality-alerts-store.ts';

export interface QualityAlert {
  alertId: number;
  productId: string;
  category: string | null;
  sellerId: string | null;
  periodStart: string;
  metric: string;
  baselineRate: number | null;
  currentRate: number | null;
  currentLow: number | null;
  currentHigh: number | null;
  pValue: number | null;
  qValue: number | null;
  status: string;
  severity: number;
  /** Delivery days [windowStart, windowEnd) of the latest evaluation: what the current rate, deliveredUnits and currentUnits count. */
  windowStart: string;
  windowEnd: string;
  deliveredUnits: number;
  /** Product-fault units (fault metric) or returned units (reason mix) in the window. */
  currentUnits: number;
  /** Delivery days [baselineStart, baselineEnd) of the baseline frozen at first detection, and its delivered and fault (or returned) units. */
  baselineStart: string;
  baselineEnd: string;
  baselineUnits: number;
  baselineEvents: number;
  topReasons: unknown[];
  topCommentWords: unknown[];
  firstDetectedAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

/** The columns rowToAlert reads, for `SELECT ${ALERT_COLUMNS} FROM quality_alerts …`. */
export const ALERT_COLUMNS = `alert_id, product_id, category, seller_id, period_start, metric, baseline_rate, current_rate, current_low, current_high,
  p_value, q_value, status, severity, window_start, window_end, delivered_units::DOUBLE AS delivered_units, current_units::DOUBLE AS current_units,
  baseline_start, baseline_end, baseline_units::DOUBLE AS baseline_units, baseline_events::DOUBLE AS baseline_events, top_reasons, top_comment_words, first_detected_at, updated_at, resolved_at`;

/** One row of `SELECT ${ALERT_COLUMNS}`, read with getRowObjectsJS. */
export function rowToAlert(row: Record<string, unknown>): QualityAlert {
  return {
    alertId: Number(row['alert_id']),
    productId: String(row['product_id']),
    category: row['category'] === null ? null : String(row['category']),
    sellerId: row['seller_id'] === null ? null : String(row['seller_id']),
    periodStart: toIsoDate(row['period_start'])!,
    metric: String(row['metric']),
    baselineRate: nullableNumber(row['baseline_rate']),
    currentRate: nullableNumber(row['current_rate']),
    currentLow: nullableNumber(row['current_low']),
    currentHigh: nullableNumber(row['current_high']),
    pValue: nullableNumber(row['p_value']),
    qValue: nullableNumber(row['q_value']),
    status: String(row['status']),
    severity: Number(row['severity']),
    windowStart: toIsoDate(row['window_start'])!,
    windowEnd: toIsoDate(row['window_end'])!,
    deliveredUnits: Number(row['delivered_units']),
    currentUnits: Number(row['current_units']),
    baselineStart: toIsoDate(row['baseline_start'])!,
    baselineEnd: toIsoDate(row['baseline_end'])!,
    baselineUnits: Number(row['baseline_units']),
    baselineEvents: Number(row['baseline_events']),
    topReasons: JSON.parse(String(row['top_reasons'])) as unknown[],
    topCommentWords: JSON.parse(String(row['top_comment_words'])) as unknown[],
    firstDetectedAt: toIsoTime(row['first_detected_at'])!,
    updatedAt: toIsoTime(row['updated_at'])!,
    resolvedAt: toIsoTime(row['resolved_at']),
  };
}

/**
 * Alert changes not yet published to Kafka, oldest first: alerts opened (every alert, once) and
 * alerts resolved (once), each as the API shows it. What was sent is in quality_alert_publications.
 */
export async function readUnpublishedAlertChanges(connection: DuckDBConnection): Promise<{ opened: QualityAlert[]; resolved: QualityAlert[] }> {
  const read = async (where: string): Promise<QualityAlert[]> =>
    (
      await connection.runAndReadAll(`SELECT ${ALERT_COLUMNS} FROM quality_alerts LEFT JOIN quality_alert_publications USING (alert_id) WHERE ${where} ORDER BY alert_id`)
    )
      .getRowObjectsJS()
      .map((row) => rowToAlert(row));
  return {
    opened: await read('opened_published_at IS NULL'),
    resolved: await read("status = 'resolved' AND resolved_published_at IS NULL"),
  };
}

/** Records that these alerts' opening, and these alerts' resolution, were sent (the first time counts). */
export async function markAlertChangesPublished(connection: DuckDBConnection, changes: { opened: number[]; resolved: number[] }, at: Date): Promise<void> {
  for (const [column, ids] of [
    ['opened_published_at', changes.opened],
    ['resolved_published_at', changes.resolved],
  ] as const) {
    if (ids.length === 0) continue;
    await connection.run(
      `INSERT INTO quality_alert_publications (alert_id, ${column})
       SELECT unnest(from_json($ids, '["BIGINT"]')), $at::TIMESTAMPTZ
       ON CONFLICT (alert_id) DO UPDATE SET ${column} = coalesce(quality_alert_publications.${column}, excluded.${column})`,
      { at: at.toISOString(), ids: JSON.stringify(ids) },
    );
  }
}
