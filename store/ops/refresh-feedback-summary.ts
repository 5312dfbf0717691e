import type { DuckDBConnection } from '@duckdb/node-api';
import type { OpsRunSettings } from './prepare-ops-facts.ts';
import { OPS_STAGES, waitingStageSql } from './refresh-stage-times.ts';

export interface FeedbackCounts {
  rated: number;
  summaryRows: number;
  linkRows: number;
}

/**
 * Recomputes ops_feedback_summary (ratings and comments per category, seller, method, the stage the
 * return was in when the customer wrote, and overall) and ops_feedback_links (mean rating of rated
 * returns with a slow stage — hours above that stage's overall p90 — or with a refund exception of a
 * kind, against rated returns without). The latest feedback of a return counts. Needs
 * refreshStageTimes and refreshRefundExceptions of the same run.
 */
export async function refreshFeedbackSummary(connection: DuckDBConnection, settings: OpsRunSettings): Promise<FeedbackCounts> {
  const now = settings.now.toISOString();
  const waiting = waitingStageSql('submitted_at');
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE ops_rated_returns AS
    WITH latest AS (
      SELECT return_id, arg_max(rating, submitted_at) AS rating, arg_max(comment, submitted_at) AS comment, max(submitted_at) AS submitted_at
      FROM ops_src_return_feedback GROUP BY return_id
    )
    SELECT s.*, latest.rating, latest.comment, latest.submitted_at, ${waiting.stage} AS stage_at_feedback
    FROM latest JOIN return_stage_times s USING (return_id)`);

  await connection.run('DELETE FROM ops_feedback_summary');
  await connection.run(
    `INSERT INTO ops_feedback_summary
     WITH rated AS (
       SELECT coalesce(category, 'unknown') AS category, coalesce(seller_id, 'unknown') AS seller_id, method, stage_at_feedback, rating, comment, submitted_at
       FROM ops_rated_returns
     )
     SELECT CASE WHEN grouping(category) = 0 THEN 'category' WHEN grouping(seller_id) = 0 THEN 'seller'
                 WHEN grouping(method) = 0 THEN 'method' WHEN grouping(stage_at_feedback) = 0 THEN 'stage' ELSE 'all' END,
            coalesce(category, seller_id, method, stage_at_feedback, 'all'),
            count(*), avg(rating), avg(CASE WHEN rating <= 2 THEN 1.0 ELSE 0.0 END), count(comment),
            coalesce(to_json(list_slice(list(comment ORDER BY submitted_at DESC) FILTER (WHERE comment IS NOT NULL), 1, 3))::VARCHAR, '[]'),
            $now::TIMESTAMPTZ
     FROM rated
     GROUP BY GROUPING SETS ((category), (seller_id), (method), (stage_at_feedback), ())
     HAVING count(*) > 0`,
    { now },
  );

  await connection.run('DELETE FROM ops_feedback_links');
  const slowStages = OPS_STAGES.map(
    (stage) => `SELECT 'slow_stage' AS factor, '${stage}' AS factor_value, r.rating,
                       r.hours_${stage} > p.p90_hours AS with_factor
                FROM ops_rated_returns r JOIN ops_stage_percentiles p
                  ON p.dimension = 'all' AND p.week IS NULL AND p.stage = '${stage}'
                WHERE r.hours_${stage} IS NOT NULL`,
  ).join('\nUNION ALL\n');
  await connection.run(
    `INSERT INTO ops_feedback_links
     WITH kinds AS (SELECT DISTINCT kind FROM refund_exceptions),
     observations AS (
       ${slowStages}
       UNION ALL
       SELECT 'refund_exception', k.kind, r.rating,
              EXISTS (SELECT 1 FROM refund_exceptions e WHERE e.return_id = r.return_id AND e.kind = k.kind)
       FROM ops_rated_returns r CROSS JOIN kinds k
     )
     SELECT factor, factor_value,
            count(*) FILTER (WHERE with_factor), avg(rating) FILTER (WHERE with_factor),
            count(*) FILTER (WHERE NOT with_factor), avg(rating) FILTER (WHERE NOT with_factor),
            avg(rating) FILTER (WHERE with_factor) - avg(rating) FILTER (WHERE NOT with_factor),
            $now::TIMESTAMPTZ
     FROM observations GROUP BY factor, factor_value`,
    { now },
  );
  const reader = await connection.runAndReadAll(
    `SELECT (SELECT count(*) FROM ops_rated_returns)::INTEGER, (SELECT count(*) FROM ops_feedback_summary)::INTEGER, (SELECT count(*) FROM ops_feedback_links)::INTEGER`,
  );
  const [rated, summaryRows, linkRows] = (reader.getRows()[0] ?? [0, 0, 0]).map(Number) as [number, number, number];
  return { rated, summaryRows, linkRows };
}
