import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.ts';

export interface JobContext {
  /** The job's own connection (jobs never share the API's or ingest's). */
  connection: DuckDBConnection;
  config: Config;
  logger: Logger;
  /** Wall-clock "now" for the run; injected so tests control time. */
  now: Date;
  /** Recompute everything instead of only what new events touched. */
  fullRebuild: boolean;
  /** Aborted on shutdown: long jobs should stop between steps. */
  signal: AbortSignal;
  /** Optional side effects a job may use (e.g. publishing new flags to Kafka). */
  publish?: (topic: string, messages: { key?: string; value: string }[]) => Promise<void>;
  /** What whoever asked for this run wants of it (JobScheduler.runNow); absent for scheduled runs. */
  runOptions?: JobRunOptions;
}

/** Per-run choices of a run started on demand. */
export interface JobRunOptions {
  /** train: false registers the new model as a candidate only (POST /v1/models/train with `promote: false`). Default true. */
  readonly promote?: boolean;
  /** train: true trains even on rows and settings a registered model was already trained on (POST /v1/models/train with `force: true`). Default false. */
  readonly force?: boolean;
  /** train: who asked for the run (POST /v1/models/train: `key:ID (NAME)`), as the promotion history records its decision. */
  readonly requestedBy?: string;
}

export interface JobResult {
  rowsWritten: number;
  /**
   * Why the run did nothing, when it could not (e.g. too few labels to train): recorded in job_runs
   * as status `skipped` with this reason, not as a failure, and not retried before the next interval.
   */
  skipped?: string;
  /** What the run covered, stored as JSON in job_runs.details (e.g. cohorts recomputed). */
  details?: Record<string, unknown>;
}

export interface Job {
  name: string;
  summary: string;
  /** Jobs with the same lock never run at once in this process (jobs/job-lock.ts); a run waits for its turn. */
  lock?: string;
  run(context: JobContext): Promise<JobResult>;
}
