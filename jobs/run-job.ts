import { RetourError } from '../domain/errors/retour-error.ts';
import { recordJobEnd, recordJobStart } from '../store/job-runs.ts';
import type { Job, JobContext, JobResult } from './job.ts';

const running = new Set<string>();

/**
 * Runs one job, recorded in job_runs (start, end, rows, status, error). A job never runs twice at
 * once in this process (RETOUR_JOB_RUNNING); a failure is recorded and rethrown as RETOUR_JOB_FAILED.
 */
export async function runJob(job: Job, context: JobContext): Promise<JobResult & { runId: number; durationMs: number }> {
  if (running.has(job.name)) throw new RetourError('RETOUR_JOB_RUNNING', `job ${job.name} is already running`);
  running.add(job.name);
  const started = performance.now();
  try {
    const runId = await recordJobStart(context.connection, job.name, context.now);
    try {
      const result = await job.run(context);
      const outcome = { status: 'succeeded' as const, finishedAt: new Date(context.now.getTime() + (performance.now() - started)), rowsWritten: result.rowsWritten };
      await recordJobEnd(context.connection, runId, result.details === undefined ? outcome : { ...outcome, details: result.details });
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
