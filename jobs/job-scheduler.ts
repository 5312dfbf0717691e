import type { Logger } from 'pino';
import { RetourError } from '../domain/errors/retour-error.ts';
import type { RetourMetrics } from '../observability/metrics-registry.ts';
import type { Job, JobContext, JobResult, JobRunOptions } from './job.ts';
import { runJob } from './run-job.ts';

export interface JobSchedulerOptions {
  jobs: readonly Job[];
  /**
   * Seconds between successful runs, per job name. A job without an interval is not scheduled; it
   * runs only when asked (runNow, runSoon).
   */
  intervalSeconds: Readonly<Record<string, number>>;
  /** Builds the context of one run (its own connection, "now", …). */
  contextFor: (job: Job) => Promise<Omit<JobContext, 'signal'>>;
  logger: Logger;
  metrics?: RetourMetrics;
  /** Called after each successful or skipped run (e.g. to refresh the API's in-memory snapshots). */
  onSuccess?: (job: Job, result: JobResult) => Promise<void> | void;
  /** First retry delay after a failure; doubles per consecutive failure up to the job's interval. Default 5 s. */
  initialBackoffMs?: number;
  /** Delay before the first run of each job. Default 0. */
  initialDelayMs?: number;
  /** Delay before the first run, per job name, instead of initialDelayMs (e.g. a daily job trained an hour ago waits 23 hours). */
  firstRunDelayMs?: Readonly<Record<string, number>>;
}

export interface JobScheduler {
  start(): void;
  /** Stops scheduling and waits for running jobs to finish (they see an aborted signal). */
  stop(): Promise<void>;
  /**
   * Runs a job now, out of its schedule; resolves with the job_runs id once its start is recorded
   * (the run goes on). RETOUR_JOB_RUNNING when the job is running already. A scheduled job's next
   * run then comes one interval after this one. `runOptions` apply to this run only (a retry after
   * its failure is a regular run).
   */
  runNow(name: string, runOptions?: JobRunOptions): Promise<number>;
  /** Runs a job now, or right after its current run when it is running (e.g. risk after a promotion). */
  runSoon(name: string): void;
  state(): Record<string, { running: boolean; consecutiveFailures: number; lastSuccessAt: string | null; lastError: string | null }>;
}

/** setTimeout's largest delay (about 24.8 days); a longer one fires at once, so it is waited in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs jobs on intervals inside `retour serve`: a job never runs twice at once, a failure is recorded
 * (job_runs, log, metrics) and retried with exponential backoff, and nothing a job throws stops the server.
 */
export function createJobScheduler(options: JobSchedulerOptions): JobScheduler {
  const abort = new AbortController();
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Map<string, Promise<void>>();
  /** Jobs asked to run again once their current run ends (runSoon). */
  const rerun = new Set<string>();
  const status = new Map<string, { consecutiveFailures: number; lastSuccessAt: string | null; lastError: string | null }>();
  const initialBackoffMs = options.initialBackoffMs ?? 5_000;
  const jobNamed = (name: string): Job => {
    const job = options.jobs.find((candidate) => candidate.name === name);
    if (job === undefined) throw new Error(`the scheduler has no job ${name}; it has ${options.jobs.map((candidate) => candidate.name).join(', ')}`);
    return job;
  };
  const stateOf = (job: Job) => {
    let state = status.get(job.name);
    if (state === undefined) {
      state = { consecutiveFailures: 0, lastSuccessAt: null, lastError: null };
      status.set(job.name, state);
    }
    return state;
  };

  const schedule = (job: Job, delayMs: number): void => {
    if (abort.signal.aborted) return;
    clearTimeout(timers.get(job.name));
    const timer = setTimeout(() => {
      timers.delete(job.name);
      if (delayMs > MAX_TIMER_MS) schedule(job, delayMs - MAX_TIMER_MS);
      // Started on demand meanwhile: that run schedules the next one when it ends.
      else if (!inFlight.has(job.name)) void launch(job);
    }, Math.min(delayMs, MAX_TIMER_MS));
    timer.unref();
    timers.set(job.name, timer);
  };

  /** Starts a run unless one is in flight; the returned run settles when it is done. */
  const launch = (job: Job, onStarted?: (runId: number) => void, runOptions?: JobRunOptions): Promise<void> => {
    clearTimeout(timers.get(job.name));
    timers.delete(job.name);
    const run = runOnce(job, onStarted, runOptions).finally(() => {
      inFlight.delete(job.name);
      if (rerun.delete(job.name)) void launch(job);
    });
    inFlight.set(job.name, run);
    return run;
  };

  /** The next regular run after one that ended well; none for a job only run on demand. */
  const scheduleNext = (job: Job): void => {
    const intervalSeconds = options.intervalSeconds[job.name];
    if (intervalSeconds !== undefined) schedule(job, intervalSeconds * 1000);
  };

  const runOnce = async (job: Job, onStarted?: (runId: number) => void, runOptions?: JobRunOptions): Promise<void> => {
    const intervalMs = (options.intervalSeconds[job.name] ?? 60) * 1000;
    const state = stateOf(job);
    const started = performance.now();
    try {
      const context = await options.contextFor(job);
      const result = await runJob(job, { ...context, signal: abort.signal, ...(runOptions === undefined ? {} : { runOptions }) }, onStarted === undefined ? {} : { onStarted });
      const outcome = result.skipped === undefined ? 'succeeded' : 'skipped';
      state.consecutiveFailures = 0;
      state.lastSuccessAt = new Date().toISOString();
      state.lastError = null;
      options.metrics?.jobRuns.inc({ job: job.name, status: outcome });
      options.metrics?.jobLastSuccess.set({ job: job.name }, Date.now() / 1000);
      if (result.skipped === undefined) options.logger.info({ job: job.name, rows: result.rowsWritten, ms: Math.round(result.durationMs) }, 'job succeeded');
      else options.logger.info({ job: job.name, reason: result.skipped, ms: Math.round(result.durationMs) }, 'job skipped');
      await options.onSuccess?.(job, result);
      scheduleNext(job);
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
      const scheduled = options.intervalSeconds[job.name] !== undefined;
      options.logger.error({ job: job.name, err: error, failures: state.consecutiveFailures, ...(scheduled ? { retryInMs: retryMs } : {}) }, scheduled ? 'job failed; will retry' : 'job failed');
      // A job run only on demand is not retried on its own: whoever asked sees the failure in job_runs.
      if (scheduled) schedule(job, retryMs);
    } finally {
      options.metrics?.jobDuration.observe({ job: job.name }, (performance.now() - started) / 1000);
    }
  };

  return {
    start() {
      for (const job of options.jobs) {
        stateOf(job);
        if (options.intervalSeconds[job.name] === undefined) continue;
        schedule(job, options.firstRunDelayMs?.[job.name] ?? options.initialDelayMs ?? 0);
      }
    },
    async stop() {
      abort.abort();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      rerun.clear();
      await Promise.allSettled([...inFlight.values()]);
    },
    runNow(name, runOptions) {
      const job = jobNamed(name);
      if (abort.signal.aborted) return Promise.reject(new RetourError('RETOUR_JOB_CANCELLED', `job ${name} cannot start: the scheduler is stopping`));
      if (inFlight.has(name)) return Promise.reject(new RetourError('RETOUR_JOB_RUNNING', `job ${name} is already running`));
      return new Promise<number>((resolve, reject) => {
        let runId: number | undefined;
        const run = launch(
          job,
          (id) => {
            runId = id;
            resolve(id);
          },
          runOptions,
        );
        // A run that fails before its start is recorded (no connection, …) rejects; a later failure is in job_runs.
        void run.then(() => {
          if (runId === undefined) reject(new RetourError('RETOUR_JOB_FAILED', `job ${name} could not start: ${stateOf(job).lastError ?? 'stopped by the shutdown'}`));
        });
      });
    },
    runSoon(name) {
      const job = jobNamed(name);
      if (abort.signal.aborted) return;
      if (inFlight.has(name)) rerun.add(name);
      else void launch(job);
    },
    state() {
      return Object.fromEntries(
        [...status].map(([name, state]) => [name, { ...state, running: inFlight.has(name) }]),
      );
    },
  };
}
