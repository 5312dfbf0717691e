/**
 * The demo's quality history: the quality job as of every day of the last weeks, as if it had run
 * daily all along (see serve-command.ts). A shutdown during the replay is not a failure.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import type { Config } from '../../config/load-config.ts';
import type { Job } from '../../jobs/job.ts';
import { replayJob } from '../../jobs/replay-job.ts';

export interface DemoQualityReplayOptions {
  job: Job;
  connection: DuckDBConnection;
  config: Config;
  logger: Logger;
  /** Aborted on shutdown: the replay stops after (or inside) the current run. */
  signal: AbortSignal;
  from: Date;
  to: Date;
}

/** Replays `job` daily from `from` to `to`; logs the outcome once and never throws. */
export async function replayDemoQuality(options: DemoQualityReplayOptions): Promise<void> {
  const { job, connection, config, logger, signal, from, to } = options;
  try {
    const runs = await replayJob(job, {
      from,
      to,
      stepDays: 1,
      contextFor: (now) => ({ connection, config, logger: logger.child({ job: job.name, replay: true }), now, fullRebuild: false, signal }),
    });
    if (signal.aborted) logger.info({ runs }, 'demo quality replay stopped (shutdown)');
    else logger.info({ runs, from, to }, 'demo quality history replayed');
  } catch (error: unknown) {
    // A run that saw the shutdown signal fails with a chain of "stopped" causes: not an error, no stack.
    if (signal.aborted) logger.info('demo quality replay stopped (shutdown)');
    else logger.error({ err: error }, 'demo quality replay failed; the scheduler runs the jobs anyway');
  }
}
