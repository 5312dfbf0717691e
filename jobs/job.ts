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
}

export interface JobResult {
  rowsWritten: number;
  /** What the run covered, stored as JSON in job_runs.details (e.g. cohorts recomputed). */
  details?: Record<string, unknown>;
}

export interface Job {
  name: string;
  summary: string;
  run(context: JobContext): Promise<JobResult>;
}
