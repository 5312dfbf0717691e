import type { Job, JobContext } from './job.ts';
import { runJob, type RecordedJobRun } from './run-job.ts';

const DAY_MS = 86_400_000;

export interface ReplayOptions {
  /** First "as of" time. */
  from: Date;
  /** Last "as of" time (included). */
  to: Date;
  stepDays: number;
  /** Context of each run, given its "as of" time. */
  contextFor: (now: Date) => Promise<JobContext> | JobContext;
  /** Called after each run (progress), with the recorded run's id and duration. */
  onRun?: (now: Date, result: RecordedJobRun) => void;
}

/**
 * Runs a job as of each step from `from` to `to`, oldest first, as if it had been scheduled all along:
 * after a backfill import (or in the demo), alerts and their lifecycle then exist for the history,
 * not only for the latest week. Each run is an ordinary recorded run.
 */
export async function replayJob(job: Job, options: ReplayOptions): Promise<number> {
  if (!(options.stepDays >= 1)) throw new RangeError(`stepDays must be at least 1, got ${options.stepDays}`);
  if (options.from.getTime() > options.to.getTime()) throw new RangeError(`from (${options.from.toISOString()}) must not be after to (${options.to.toISOString()})`);
  let runs = 0;
  const times: number[] = [];
  for (let time = options.to.getTime(); time >= options.from.getTime(); time -= options.stepDays * DAY_MS) times.unshift(time);
  for (const time of times) {
    const now = new Date(time);
    const context = await options.contextFor(now);
    if (context.signal.aborted) break;
    const result = await runJob(job, context);
    options.onRun?.(now, result);
    runs += 1;
  }
  return runs;
}
