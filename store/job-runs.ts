import type { DuckDBConnection } from '@duckdb/node-api';

export interface JobRun {
  runId: number;
  job: string;
  startedAt: string;
  finishedAt: string | null;
  /**
   * cancelled: stopped by a shutdown (SIGTERM, Ctrl-C) before it finished; nothing of it was kept.
   * skipped: the job could not do its work yet (e.g. too few labels to train); the reason is details.skipped.
   */
  status: 'running' | 'succeeded' | 'skipped' | 'failed' | 'cancelled';
  rowsWritten: number | null;
  error: string | null;
  details: unknown;
}

export async function recordJobStart(connection: DuckDBConnection, job: string, startedAt: Date): Promise<number> {
  const reader = await connection.runAndReadAll(
    "INSERT INTO job_runs (job, started_at, status) VALUES ($job, $startedAt::TIMESTAMPTZ, 'running') RETURNING run_id",
    { job, startedAt: startedAt.toISOString() },
  );
  return Number(reader.getRows()[0]![0]);
}

export async function recordJobEnd(
  connection: DuckDBConnection,
  runId: number,
  outcome: { status: 'succeeded' | 'skipped' | 'failed' | 'cancelled'; finishedAt: Date; rowsWritten?: number; error?: string; details?: unknown },
): Promise<void> {
  await connection.run(
    `UPDATE job_runs SET status = $status, finished_at = $finishedAt::TIMESTAMPTZ, rows_written = $rows, error = $error, details = $details
     WHERE run_id = $runId`,
    {
      runId,
      status: outcome.status,
      finishedAt: outcome.finishedAt.toISOString(),
      rows: outcome.rowsWritten ?? null,
      error: outcome.error ?? null,
      details: outcome.details === undefined ? null : JSON.stringify(outcome.details),
    },
  );
}

/** Runs left 'running' by a process that died are marked failed at start-up. */
export async function failAbandonedJobRuns(connection: DuckDBConnection, now: Date): Promise<void> {
  await connection.run(
    "UPDATE job_runs SET status = 'failed', finished_at = $now::TIMESTAMPTZ, error = 'abandoned: the process stopped during the run' WHERE status = 'running'",
    { now: now.toISOString() },
  );
}

export async function listJobRuns(connection: DuckDBConnection, options: { job?: string; limit: number }): Promise<JobRun[]> {
  const reader = await connection.runAndReadAll(
    `SELECT run_id, job, started_at::VARCHAR, finished_at::VARCHAR, status, rows_written, error, details
     FROM job_runs WHERE $job IS NULL OR job = $job ORDER BY run_id DESC LIMIT $limit`,
    { job: options.job ?? null, limit: options.limit },
  );
  return reader.getRows().map((row) => ({
    runId: Number(row[0]),
    job: String(row[1]),
    startedAt: String(row[2]),
    finishedAt: row[3] === null ? null : String(row[3]),
    status: String(row[4]) as JobRun['status'],
    rowsWritten: row[5] === null ? null : Number(row[5]),
    error: row[6] === null ? null : String(row[6]),
    details: row[7] === null ? null : JSON.parse(String(row[7])),
  }));
}

/** When the job last finished its work (succeeded or skipped), by its recorded start; null if never. */
export async function readLastCompletedJobRun(connection: DuckDBConnection, job: string): Promise<Date | null> {
  const reader = await connection.runAndReadAll(
    "SELECT epoch_ms(max(started_at)) FROM job_runs WHERE job = $job AND status IN ('succeeded', 'skipped')",
    { job },
  );
  const value = reader.getRows()[0]?.[0];
  return value === null || value === undefined ? null : new Date(Number(value));
}
