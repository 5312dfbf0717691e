import type { Logger } from 'pino';
import type { RetourMetrics } from '../observability/metrics-registry.ts';
import type { Job, JobContext } from './job.ts';
import { runJob } from './run-job.ts';

export interface JobSchedulerOptions {
  jobs: readonly Job[];
  /** Seconds between successful runs, per job name; jobs without an interval are not scheduled. */
  intervalSeconds: Readonly<Record<string, number>>;
  /** Builds the context of one run (its own connection, "now", …). */
  contextFor: (job: Job) => Promise<Omit<JobContext, 'signal'>>;
  logger: Logger;
  metrics?: RetourMetrics;
  /** Called after each successful run (e.g. to refresh the API's in-memory snapshots). */
  onSuccess?: (job: Job) => Promise<void> | void;
  /** First retry delay after a failure; doubles per consecutive failure up to the job's interval. Default 5 s. */
  initialBackoffMs?: number;
  /** Delay before the first run of each job. Default 0. */
  initialDelayMs?: number;
}

export interface JobScheduler {
  start(): void;
  /** Stops scheduling and waits for running jobs to finish (they see an aborted signal). */
  stop(): Promise<void>;
  state(): Record<string, { running: boolean; consecutiveFailures: number; lastSuccessAt: string | null; lastError: string | null }>;
}

/**
 * Runs jobs on intervals inside `retour serve`: a job never runs twice at once, a failure is recorded
 * (job_runs, log, metrics) and retried with exponential backoff, and nothing a job throws stops the server.
 */
export function createJobScheduler(options: JobSchedulerOptions): JobScheduler {
  const abort = new AbortController();
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Map<string, Promise<void>>();
  const status = new Map<string, { consecutiveFailures: number; lastSuccessAt: string | null; lastError: string | null }>();
  const initialBackoffMs = options.initialBackoffMs ?? 5_000;

  const schedule = (job: Job, delayMs: number): void => {
    if (abort.signal.aborted) return;
    const timer = setTimeout(() => {
      timers.delete(job.name);
      const run = runOnce(job).finally(() => inFlight.delete(job.name));
      inFlight.set(job.name, run);
    }, delayMs);
    timer.unref();
    timers.set(job.name, timer);
  };

  const runOnce = async (job: Job): Promise<void> => {
    const intervalMs = (options.intervalSeconds[job.name] ?? 60) * 1000;
    const state = status.get(job.name)!;
    const started = performance.now();
    try {
      const context = await options.contextFor(job);
      const result = await runJob(job, { ...context, signal: abort.signal });
      state.consecutiveFailures = 0;
      state.lastSuccessAt = new Date().toISOString();
      state.lastError = null;
      options.metrics?.jobRuns.inc({ job: job.name, status: 'succeeded' });
      options.metrics?.jobLastSuccess.set({ job: job.name }, Date.now() / 1000);
      options.logger.info({ job: job.name, rows: result.rowsWritten, ms: Math.round(result.durationMs) }, 'job succeeded');
      await options.onSuccess?.(job);
      schedule(job, intervalMs);
    } catch (error: unknown) {
      if (abort.signal.aborted) {
        // Stopped by the shutdown: nothing failed and nothing is retried.
        options.logger.info({ job: job.name }, 'job stopped by the shutdown');
        return;
      }
      state.consecutiveFailures += 1;
      state.lastError = error instanceof Error ? error.message : String(error);
      options.metrics?.jobRuns.inc({ job: job.name, status: 'failed' });
      const retryMs = Math.min(intervalMs, initialBackoffMs * 2 ** (state.consecutiveFailures - 1));
      options.logger.error({ job: job.name, err: error, retryInMs: retryMs, failures: state.consecutiveFailures }, 'job failed; will retry');
      schedule(job, retryMs);
    } finally {
      options.metrics?.jobDuration.observe({ job: job.name }, (performance.now() - started) / 1000);
    }
  };

  return {
    start() {
      for (const job of options.jobs) {
        if (options.intervalSeconds[job.name] === undefined) continue;
        status.set(job.name, { consecutiveFailures: 0, lastSuccessAt: null, lastError: null });
        schedule(job, options.initialDelayMs ?? 0);
      }
    },
    async stop() {
      abort.abort();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight.values()]);
    },
    state() {
      return Object.fromEntries(
        [...status].map(([name, state]) => [name, { ...state, running: inFlight.has(name) }]),
      );
    },
  };
}
