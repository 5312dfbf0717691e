/**
 * The demo's quality history: the quality job as of every day of the last weeks, as if it had run
 * daily all along (see serve-command.ts). A shutdown during the replay is not a failure.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import type { Config } from '../../config/load-config.ts';
import type { Job } from '../../jobs/job.ts';
import { replayJob } from '../../jobs/replay-job.ts';
import { readQualityState } from '../../store/quality/quality-state.ts';

const DAY_MS = 86_400_000;

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

/**
 * Replays `job` daily from `from` to `to`; logs the outcome once and never throws. A demo started
 * again on its database goes on from the last run instead of replaying the weeks again (which
 * would take every alert back and re-detect it while the user watches).
 */
export async function replayDemoQuality(options: DemoQualityReplayOptions): Promise<void> {
  const { job, connection, config, logger, signal, to } = options;
  try {
    const state = await readQualityState(connection);
    const from = state === undefined || state.asOf.getTime() < options.from.getTime() ? options.from : new Date(state.asOf.getTime() + DAY_MS);
    if (from.getTime() > to.getTime()) {
      logger.info({ lastRun: state?.asOf }, 'demo quality history already replayed');
      return;
    }
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
