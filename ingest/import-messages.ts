/**
 * Feeds a stream of raw messages (NDJSON lines of a file, or events mapped from a CSV export) through
 * exactly the Kafka path — ingestBatch — in micro-batches, and sums the outcomes. While DuckDB writes
 * one batch, the next one is decoded, so the JavaScript thread and DuckDB's threads overlap.
 */
import type { RetourErrorCode } from '../domain/errors/error-catalogue.ts';
import { decodeBatchInSlices, writeDecodedBatch, type BatchOutcome, type EventBatchWriter, type RawMessage } from './ingest-batch.ts';

export interface ImportSummary {
  consumed: number;
  stored: number;
  duplicates: number;
  quarantinedTotal: number;
  quarantined: Partial<Record<RetourErrorCode, number>>;
  storedByType: Record<string, number>;
  batches: number;
  seconds: number;
}

export interface ImportMessagesOptions {
  /** Messages per ingestBatch transaction (RETOUR_BATCH_MAX_EVENTS). */
  batchSize: number;
  maxEventBytes: number;
  now?: () => Date;
  /** Called after each committed batch with the running summary. */
  onBatch?: (summary: ImportSummary, outcome: BatchOutcome) => void;
  /** Stops after the batch in flight when aborted (everything committed so far stays). */
  signal?: AbortSignal;
}

export function emptyImportSummary(): ImportSummary {
  return { consumed: 0, stored: 0, duplicates: 0, quarantinedTotal: 0, quarantined: {}, storedByType: {}, batches: 0, seconds: 0 };
}

function addOutcome(summary: ImportSummary, outcome: BatchOutcome): void {
  summary.consumed += outcome.consumed;
  summary.stored += outcome.stored;
  summary.duplicates += outcome.duplicates;
  summary.quarantinedTotal += outcome.quarantined.length;
  for (const entry of outcome.quarantined) summary.quarantined[entry.code] = (summary.quarantined[entry.code] ?? 0) + 1;
  for (const [type, count] of Object.entries(outcome.storedByType)) summary.storedByType[type] = (summary.storedByType[type] ?? 0) + count;
  summary.batches++;
}

/**
 * @example
 * const summary = await importMessages(writer, readNdjsonMessages(stream, 'import:events.ndjson'), { batchSize: 20000, maxEventBytes: 65536 });
 */
export async function importMessages(
  writer: EventBatchWriter,
  messages: AsyncIterable<RawMessage> | Iterable<RawMessage>,
  options: ImportMessagesOptions,
): Promise<ImportSummary> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
  const started = performance.now();
  const summary = emptyImportSummary();
  const batchOptions = options.now === undefined ? { maxEventBytes: options.maxEventBytes } : { maxEventBytes: options.maxEventBytes, now: options.now };
  let writing: Promise<void> | undefined;
  let batch: RawMessage[] = [];
  const flush = async (): Promise<void> => {
    const messagesOfBatch = batch;
    batch = [];
    const decoded = await decodeBatchInSlices(messagesOfBatch, batchOptions);
    // One batch in flight at a time: wait for the previous commit before starting the next.
    if (writing !== undefined) await writing;
    writing = writeDecodedBatch(writer, messagesOfBatch, decoded, batchOptions).then((outcome) => {
      addOutcome(summary, outcome);
      summary.seconds = (performance.now() - started) / 1000;
      options.onBatch?.(summary, outcome);
    });
    // Its failure is awaited (and thrown) at the next flush or at the end, not reported as unhandled.
    writing.catch(() => undefined);
  };
  try {
    for await (const message of messages) {
      if (options.signal?.aborted === true) break;
      batch.push(message);
      if (batch.length >= options.batchSize) await flush();
    }
    if (batch.length > 0 && options.signal?.aborted !== true) await flush();
  } finally {
    // Even on a read error, the batch in flight is awaited (and its own error wins if it failed).
    if (writing !== undefined) await writing;
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
