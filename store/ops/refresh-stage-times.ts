import type { DuckDBConnection } from '@duckdb/node-api';
import type { OpsRunSettings } from './prepare-ops-facts.ts';
import { receiptsReportedSql } from '../receipts-reported.ts';

/** The stages of ops_stage_percentiles, each with the milestones that start and end it. */
export const OPS_STAGES = [
  'requested_to_received',
  'received_to_inspected',
  'inspected_to_refunded',
  'refunded_to_closed',
  'received_to_refunded',
  'requested_to_closed',
] as const;
export type OpsStage = (typeof OPS_STAGES)[number];


/** One SELECT per stage: its hours and the milestone that ended it (which decides its week). */
const STAGE_DURATIONS_SQL = OPS_STAGES.map((stage) => {
  const end = stage.split('_to_')[1]!;
  return `SELECT return_id, category, seller_id, method, '${stage}' AS stage, hours_${stage} AS hours, ops_week(${end}_at) AS week
          FROM return_stage_times WHERE hours_${stage} IS NOT NULL`;
}).join('\nUNION ALL\n');

/**
 * The stage a return waits in, and since when, as of a moment `at` (a SQL expression): closed
 * returns wait for nothing; keep_item returns skip receipt and inspection; an instant refund before
 * receipt still waits for the parcel.
 */
export function waitingStageSql(at: string): { stage: string; since: string } {
  return {
    stage: `CASE
      WHEN closed_at <= ${at} THEN 'closed'
      WHEN resolution = 'keep_item' AND refunded_at <= ${at} THEN 'awaiting_close'
      WHEN resolution = 'keep_item' THEN 'awaiting_refund'
      WHEN received_at IS NULL OR received_at > ${at} THEN 'awaiting_receipt'
      WHEN inspected_at IS NULL OR inspected_at > ${at} THEN 'awaiting_inspection'
      WHEN refunded_at IS NULL OR refunded_at > ${at} THEN 'awaiting_refund'
      ELSE 'awaiting_close' END`,
    since: `CASE
      WHEN closed_at <= ${at} THEN closed_at
      WHEN resolution = 'keep_item' AND refunded_at <= ${at} THEN refunded_at
      WHEN resolution = 'keep_item' THEN requested_at
      WHEN received_at IS NULL OR received_at > ${at} THEN requested_at
      WHEN inspected_at IS NULL OR inspected_at > ${at} THEN received_at
      WHEN refunded_at IS NULL OR refunded_at > ${at} THEN inspected_at
      ELSE greatest(refunded_at, inspected_at) END`,
  };
}

export interface StageTimeCounts {
  returns: number;
  percentileRows: number;
  stuck: number;
}

/**
 * Recomputes return_stage_times (returns with a stored request), ops_stage_percentiles
 * (p50/p90/p99 per category, seller, method and overall; per week the stage ended and over all
 * weeks) and ops_stuck_returns (open returns waiting longer than their stage's limit). Needs
 * prepareOpsFacts.
 */
export async function refreshStageTimes(connection: DuckDBConnection, settings: OpsRunSettings): Promise<StageTimeCounts> {
  const now = settings.now.toISOString();
  await connection.run('DELETE FROM return_stage_times');
  await connection.run(
    `INSERT INTO return_stage_times
     SELECT return_id, order_id, customer_id, category, seller_id, method, resolution, ops_week(requested_at),
            requested_at, received_at, inspected_at, refunded_at, closed_at, close_outcome,
            ops_hours(requested_at, received_at), ops_hours(received_at, inspected_at), ops_hours(inspected_at, refunded_at),
            ops_hours(refunded_at, closed_at), ops_hours(received_at, refunded_at), ops_hours(requested_at, closed_at),
            $now::TIMESTAMPTZ
     FROM ops_return_facts WHERE requested_at IS NOT NULL`,
    { now },
  );

  await connection.run('DELETE FROM ops_stage_percentiles');
  await connection.run(
    `INSERT INTO ops_stage_percentiles
     WITH durations AS (
       SELECT return_id, coalesce(category, 'unknown') AS category, coalesce(seller_id, 'unknown') AS seller_id, method, stage, hours, week
       FROM (${STAGE_DURATIONS_SQL})
     ),
     grouped AS (
       SELECT CASE WHEN grouping(category) = 0 THEN 'category' WHEN grouping(seller_id) = 0 THEN 'seller' WHEN grouping(method) = 0 THEN 'method' ELSE 'all' END AS dimension,
              coalesce(category, seller_id, method, 'all') AS dimension_value,
              week, stage, count(*) AS count,
              quantile_cont(hours, [0.5, 0.9, 0.99]) AS q
       FROM durations
       GROUP BY GROUPING SETS ((stage, week, category), (stage, week, seller_id), (stage, week, method), (stage, week),
                               (stage, category), (stage, seller_id), (stage, method), (stage))
     )
     SELECT dimension, dimension_value, week, stage, count, q[1], q[2], q[3], $now::TIMESTAMPTZ FROM grouped`,
    { now },
  );

  const waiting = waitingStageSql('$now::TIMESTAMPTZ');
  await connection.run('DELETE FROM ops_stuck_returns');
  await connection.run(
    `INSERT INTO ops_stuck_returns
     WITH limits AS (
       SELECT entry.stage, entry.hours FROM (SELECT unnest(from_json($limits, '[{"stage":"VARCHAR","hours":"DOUBLE"}]')) AS entry)
     ),
     waiting AS (
       SELECT return_id, customer_id, category, seller_id, method, ${waiting.stage} AS stage, ${waiting.since} AS since
       FROM return_stage_times
     )
     SELECT w.return_id, w.stage, w.since, ops_hours(w.since, $now::TIMESTAMPTZ) AS age_hours, l.hours,
            w.customer_id, w.category, w.seller_id, w.method, $now::TIMESTAMPTZ
     FROM waiting w JOIN limits l ON l.stage = w.stage
     WHERE ops_hours(w.since, $now::TIMESTAMPTZ) > l.hours
       -- A source that never reports receipts (a backfill of credit notes) would list every return
       -- as stuck awaiting its parcel forever, as it would raise refund_without_receipt.
       AND (w.stage <> 'awaiting_receipt' OR ${receiptsReportedSql('ops_src_return_requests', 'ops_src_return_receipts')})`,
    { now, limits: JSON.stringify(Object.entries(settings.stuckLimitHours).map(([stage, hours]) => ({ stage, hours }))) },
  );

  const reader = await connection.runAndReadAll(
    `SELECT (SELECT count(*) FROM return_stage_times)::INTEGER, (SELECT count(*) FROM ops_stage_percentiles)::INTEGER, (SELECT count(*) FROM ops_stuck_returns)::INTEGER`,
  );
  const [returns, percentileRows, stuck] = (reader.getRows()[0] ?? [0, 0, 0]).map(Number) as [number, number, number];
  return { returns, percentileRows, stuck };
}
