import { RetourError } from '../domain/errors/retour-error.ts';
import { recordJobEnd, recordJobStart } from '../store/job-runs.ts';
import type { Job, JobContext, JobResult } from './job.ts';
import { withJobLock } from './job-lock.ts';

const running = new Set<string>();

export interface RunJobOptions {
  /** Told the run's job_runs id as soon as its start is recorded (before it waits for its lock). */
  onStarted?: (runId: number) => void;
}

/**
 * Runs one job, recorded in job_runs (start, end, rows, status, error). A job never runs twice at
 * once in this process (RETOUR_JOB_RUNNING), nor at the same time as a job sharing its lock (it
 * waits); a failure is recorded and rethrown as RETOUR_JOB_FAILED; a run the job skipped is recorded
 * as `skipped` with its reason.
 */
/** A job's result as recorded in job_runs. */
export type RecordedJobRun = JobResult & { runId: number; durationMs: number };

export async function runJob(job: Job, context: JobContext, options: RunJobOptions = {}): Promise<RecordedJobRun> {
  if (running.has(job.name)) throw new RetourError('RETOUR_JOB_RUNNING', `job ${job.name} is already running`);
  running.add(job.name);
  const started = performance.now();
  try {
    const runId = await recordJobStart(context.connection, job.name, context.now);
    options.onStarted?.(runId);
    try {
      const result = await withJobLock(job.lock, () => {
        // A shutdown while waiting for the lock: the job does not start.
        if (context.signal.aborted) throw new Error(`job ${job.name} was stopped before it started`);
        return job.run(context);
      });
      const outcome = {
        status: result.skipped === undefined ? ('succeeded' as const) : ('skipped' as const),
        finishedAt: new Date(context.now.getTime() + (performance.now() - started)),
        rowsWritten: result.rowsWritten,
      };
      const details = result.skipped === undefined ? result.details : { ...result.details, skipped: result.skipped };
      await recordJobEnd(context.connection, runId, details === undefined ? outcome : { ...outcome, details });
      return { ...result, runId, durationMs: performance.now() - started };
    } catch (error: unknown) {
      // Leave no half-open transaction behind for the next run on this connection.
      await context.connection.run('ROLLBACK').catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      // A shutdown is no failure of the job: recorded as cancelled, and said once, not wrapped again.
      const cancelled = context.signal.aborted;
      const finishedAt = new Date(context.now.getTime() + (performance.now() - started));
      await recordJobEnd(context.connection, runId, { status: cancelled ? 'cancelled' : 'failed', finishedAt, error: message });
      if (cancelled) throw new RetourError('RETOUR_JOB_CANCELLED', `job ${job.name} was stopped by the shutdown`, { cause: error });
      throw new RetourError('RETOUR_JOB_FAILED', `job ${job.name} failed: ${message}`, { cause: error });
    }
  } finally {
    running.delete(job.name);
  }
}
