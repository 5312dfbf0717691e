/**
 * The demo's event source: the built-in simulator fed through the real ingest path (ingestBatch:
 * same validation, dedupe and storage as Kafka), as topic `demo:simulator`, partition 0, offset =
 * position in the deterministic stream. History up to "now" is ingested as fast as possible, then
 * the stream continues in real time. A restart skips what the stored offset says was ingested.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import type { Config } from '../../config/load-config.ts';
import { createEventBatchWriter, ingestBatch, readStoredOffsets, type RawMessage } from '../../ingest/ingest-batch.ts';
import { recordBatchMetrics } from '../../ingest/record-batch-metrics.ts';
import type { RetourMetrics } from '../../observability/metrics-registry.ts';
import { simulateMarketplace } from '../../simulator/simulate-marketplace.ts';

export const DEMO_TOPIC = 'demo:simulator';
const DAY_MS = 86_400_000;

export interface DemoState {
  seed: number;
  customers: number;
  /** Catalogue size: small enough that best-sellers reach the quality job's minimum weekly units. */
  products: number;
  /** Defect episodes placed over the whole stream, so some are under way in any given month. */
  defectEpisodes: number;
  historyDays: number;
  /** Days of live (real-time) stream after the history; the feed ends after them. */
  liveDays: number;
  /** UTC midnight the simulation starts on; fixed at the first start so restarts resume the same stream. */
  startDate: string;
}

export interface DemoFeedOptions {
  connection: DuckDBConnection;
  config: Config;
  logger: Logger;
  signal: AbortSignal;
  metrics?: RetourMetrics;
  /** Called after each committed batch with the simulated time reached. */
  onProgress?: (progress: { ingested: number; simulatedUntil: string; caughtUp: boolean }) => void;
  /** The open flags a batch's review decisions closed (kafka-ingest.ts' onFlagsClosed). */
  onFlagsClosed?: (flags: readonly { flagId: string; customerId: string }[]) => void;
  /** Wall clock (tests inject one). */
  now?: () => number;
}

export interface DemoFeedSummary {
  ingested: number;
  quarantined: number;
}

/** Reads or creates `<dataDir>/demo-state.json` (seed, size and start date of the demo stream). */
export function loadDemoState(dataDir: string, now: number, defaults: Omit<DemoState, 'startDate'>): DemoState {
  const path = join(dataDir, 'demo-state.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as DemoState;
  const startMs = Math.floor(now / DAY_MS) * DAY_MS - defaults.historyDays * DAY_MS;
  const state: DemoState = { ...defaults, startDate: new Date(startMs).toISOString().slice(0, 10) };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function runDemoFeed(options: DemoFeedOptions, state: DemoState): Promise<DemoFeedSummary> {
  const { connection, config, logger, signal } = options;
  const now = options.now ?? Date.now;
  const writer = await createEventBatchWriter(connection);
  try {
    const stored = (await readStoredOffsets(connection)).find((offset) => offset.topic === DEMO_TOPIC && offset.partition === 0);
    let offset = stored?.nextOffset ?? 0;
    const skip = offset;
    const simulation = simulateMarketplace({
      seed: state.seed,
      customers: state.customers,
      products: state.products,
      defectEpisodes: state.defectEpisodes,
      days: state.historyDays + state.liveDays,
      startDate: state.startDate,
      returnWindowDays: config.returnWindowDays,
      returnWindowByCategory: config.returnWindowByCategory,
      refundSlaDays: config.refundSlaDays,
    });
    const iterator = simulation.events()[Symbol.iterator]();
    for (let skipped = 0; skipped < skip; skipped++) {
      if (iterator.next().done === true) return { ingested: 0, quarantined: 0 };
    }
    if (skip > 0) logger.info({ resumedAt: skip }, 'demo feed resumed from the stored offset');
    let ingested = 0;
    let quarantined = 0;
    let pending = iterator.next();
    let caughtUp = false;
    while (!signal.aborted && pending.done !== true) {
      const batch: RawMessage[] = [];
      let simulatedUntil = '';
      const wallClock = now();
      while (pending.done !== true && batch.length < config.batchMaxEvents) {
        const event = pending.value;
        if (Date.parse(event.time) > wallClock) break;
        batch.push({ topic: DEMO_TOPIC, partition: 0, offset, value: JSON.stringify(event) });
        simulatedUntil = event.time;
        offset += 1;
        pending = iterator.next();
      }
      if (batch.length > 0) {
        const started = performance.now();
        const outcome = await ingestBatch(writer, batch, { maxEventBytes: config.maxEventBytes });
        ingested += outcome.stored;
        if (outcome.closedFlags.length > 0) options.onFlagsClosed?.(outcome.closedFlags);
        quarantined += outcome.quarantined.length;
        if (options.metrics !== undefined) recordBatchMetrics(options.metrics, outcome, (performance.now() - started) / 1000);
        options.onProgress?.({ ingested, simulatedUntil, caughtUp });
        continue;
      }
      if (!caughtUp) {
        caughtUp = true;
        logger.info({ ingested }, 'demo history ingested; continuing in real time');
        options.onProgress?.({ ingested, simulatedUntil: new Date(wallClock).toISOString(), caughtUp });
      }
      // The next event lies in the future: wait for it (at most a second, to notice shutdown).
      const waitMs = pending.done === true ? 1000 : Math.min(1000, Math.max(50, Date.parse(pending.value.time) - now()));
      await sleep(waitMs, signal);
    }
    return { ingested, quarantined };
  } finally {
    writer.close();
  }
}
