/**
 * Gives the API priority over ingest in `retour serve`: while requests are coming in, ingest writes
 * smaller batches and rests between them, so that its work (the JavaScript decode on the event loop
 * and DuckDB's threads writing the batch) takes at most `busyShare` of the time. On a small machine
 * a catch-up at full speed takes every core and the API's latency tail with it; a live stream
 * (a few thousand events/s) needs far less than that share, so it is not slowed at all. As soon as
 * the API is quiet, ingest runs at full speed again. The lag this costs is visible in /metrics.
 */
import type { Config } from '../config/load-config.ts';

export interface IngestPacer {
  /** Largest batch to fetch next: `normal`, or fewer messages while the API is busy. */
  batchMessages(normal: number): number;
  /**
   * Resolves when the next batch may be written: at once while the API is quiet, otherwise after a
   * rest proportional to `lastWorkMs` (the previous batch's wall time), cut short when the API goes
   * quiet or `signal` aborts.
   */
  pause(lastWorkMs: number, signal: AbortSignal): Promise<void>;
}

export interface IngestPacerOptions {
  /** True while the API is serving requests (observability/request-activity.ts). */
  busy: () => boolean;
  /** Share of wall time ingest may work while the API is busy, in (0, 1]; 1 = never rest. */
  busyShare: number;
  /** Batch size while the API is busy. */
  busyBatchMessages: number;
  /** Longest single rest (default 1 s), so a slow batch cannot park ingest for long. */
  maxPauseMs?: number;
  /** How often a rest re-checks whether the API went quiet (default 20 ms). */
  checkEveryMs?: number;
}

/**
 * @example
 * const pacer = createIngestPacer({ busy: activity.busy, busyShare: 0.25, busyBatchMessages: 1000 });
 * await pacer.pause(lastBatchMs, signal); // rests 3 × lastBatchMs while the API is busy
 */
export function createIngestPacer(options: IngestPacerOptions): IngestPacer {
  const { busy, busyShare, busyBatchMessages } = options;
  const maxPauseMs = options.maxPauseMs ?? 1000;
  const checkEveryMs = options.checkEveryMs ?? 20;
  if (!(busyShare > 0 && busyShare <= 1)) throw new RangeError(`busyShare must be in (0, 1]; got ${busyShare}`);
  if (!Number.isInteger(busyBatchMessages) || busyBatchMessages < 1) throw new RangeError(`busyBatchMessages must be an integer >= 1; got ${busyBatchMessages}`);
  if (!(maxPauseMs >= 0)) throw new RangeError(`maxPauseMs must be >= 0; got ${maxPauseMs}`);
  if (!(checkEveryMs > 0)) throw new RangeError(`checkEveryMs must be > 0; got ${checkEveryMs}`);
  return {
    batchMessages: (normal) => (busy() ? Math.min(normal, busyBatchMessages) : normal),
    async pause(lastWorkMs, signal) {
      if (busyShare === 1 || !busy()) return;
      // Working w then resting w·(1−s)/s makes the working share s.
      const restMs = Math.min(maxPauseMs, (Math.max(0, lastWorkMs) * (1 - busyShare)) / busyShare);
      const until = performance.now() + restMs;
      while (!signal.aborted && busy()) {
        const left = until - performance.now();
        if (left <= 0) return;
        await new Promise<void>((resolve) => setTimeout(resolve, Math.min(left, checkEveryMs)));
      }
    },
  };
}

/** The pacer `retour serve` uses (RETOUR_INGEST_BUSY_SHARE, RETOUR_INGEST_BUSY_BATCH_EVENTS). */
export function createConfiguredIngestPacer(config: Pick<Config, 'ingestBusyShare' | 'ingestBusyBatchEvents'>, busy: () => boolean): IngestPacer {
  return createIngestPacer({ busy, busyShare: config.ingestBusyShare, busyBatchMessages: config.ingestBusyBatchEvents });
}
