import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { ERROR_CATALOGUE, type RetourErrorCode } from '../../domain/errors/error-catalogue.ts';
import { RetourError } from '../../domain/errors/retour-error.ts';
import type { BatchConsumerOptions } from '../../messaging/consumer/create-batch-consumer.ts';
import type { BatchConsumerStatus } from '../../messaging/consumer/batch-consumer.ts';
import type { TopicPartitionOffset } from '../../messaging/topic-partition-offset.ts';
import type { DecodedConsumedBatch, DecodingConsumer } from '../decoding-consumer.ts';
import { unpackBatch, type PackedBatch } from './packed-batch.ts';

/** What the ingest worker gets at start: the consumer's options minus what cannot cross threads. */
export interface DecodeWorkerData {
  readonly consumer: Omit<BatchConsumerOptions, 'logger' | 'earliestOffsets'>;
  readonly maxEventBytes: number;
  readonly logLevel: string;
}

export type DecodeWorkerRequest =
  | { readonly kind: 'start'; readonly id: number }
  | { readonly kind: 'next'; readonly id: number; readonly maxMessages: number | undefined }
  | { readonly kind: 'cancel'; readonly id: number }
  | { readonly kind: 'commit'; readonly id: number; readonly offsets: readonly TopicPartitionOffset[] }
  | { readonly kind: 'close'; readonly id: number };

export interface SerializedError {
  readonly message: string;
  readonly code?: string;
  readonly details?: Record<string, unknown>;
}

export type DecodeWorkerReply =
  | { readonly id: number; readonly ok: true; readonly status: BatchConsumerStatus; readonly batch?: PackedBatch; readonly committed?: readonly TopicPartitionOffset[] }
  | { readonly id: number; readonly ok: false; readonly status: BatchConsumerStatus; readonly error: SerializedError };

/** The status until the worker's consumer first answers. */
const notStarted = (now: number): BatchConsumerStatus => ({
  connection: { state: 'connecting', since: now, lastError: undefined },
  joined: false,
  joinedAt: undefined,
  lastMessageAt: undefined,
  assigned: [],
  bufferedMessages: 0,
  highWatermarks: [],
});

/** A worker's error as the caller's: a RetourError again when it was one (its code decides the exit). */
function reviveError(error: SerializedError): Error {
  if (error.code !== undefined && error.code in ERROR_CATALOGUE) {
    return new RetourError(error.code as RetourErrorCode, error.message, error.details === undefined ? {} : { details: error.details });
  }
  return new Error(error.message);
}

/**
 * The Kafka consumer and the decoding of its messages on a worker thread (decode-worker.ts).
 *
 * Why: in `retour serve` the API shares the process with ingest. kafkajs's decoding of fetch
 * responses, JSON.parse and validation of every event, and the garbage they leave were most of the
 * event-loop stalls that set the API's p99 (docs/api.md § Paced load). A worker has its own event
 * loop and heap; what comes back is one transferred buffer of values and flat arrays (packed-batch.ts).
 * The writer (DuckDB appenders, the transaction, offsets) stays on the caller's thread: a DuckDB
 * instance cannot be shared with a worker, and a second instance on the same file would not see
 * the first one's writes.
 *
 * Delivery semantics are those of the in-process consumer: positions live in the worker's consumer
 * exactly as they would in the caller's, and a batch the caller never received (aborted, closed)
 * is not stored, so the next start reads it again from the offsets in the database.
 */
export function createWorkerDecodingConsumer(options: BatchConsumerOptions & { readonly maxEventBytes: number }): DecodingConsumer {
  const { logger, earliestOffsets, maxEventBytes, ...consumer } = options;
  if (earliestOffsets !== undefined) throw new TypeError('createWorkerDecodingConsumer cannot take earliestOffsets: a function does not cross to the worker');
  const data: DecodeWorkerData = { consumer, maxEventBytes, logLevel: logger.level };
  const worker = new Worker(new URL('./decode-worker-bootstrap.mjs', import.meta.url), { workerData: data });
  const log: Logger = logger.child({ component: 'ingest-worker' });
  let status: BatchConsumerStatus = notStarted(Date.now());
  let nextId = 1;
  let failure: Error | undefined;
  let exited = false;
  const pending = new Map<number, { resolve: (reply: DecodeWorkerReply & { ok: true }) => void; reject: (error: Error) => void }>();

  const failAll = (error: Error): void => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (reply: DecodeWorkerReply) => {
    status = reply.status;
    const waiter = pending.get(reply.id);
    if (waiter === undefined) return; // the answer to a request the caller gave up on (aborted)
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply);
    else waiter.reject(reviveError(reply.error));
  });
  worker.on('error', (error) => {
    log.error({ err: error }, 'ingest worker crashed');
    failAll(new RetourError('RETOUR_CONSUMER_CRASHED', `the ingest worker thread crashed: ${error.message}`, { cause: error }));
  });
  worker.on('exit', (code) => {
    exited = true;
    failAll(new RetourError('RETOUR_CONSUMER_CRASHED', `the ingest worker thread exited (code ${code})`));
  });

  const request = (message: DecodeWorkerRequest): Promise<DecodeWorkerReply & { ok: true }> =>
    new Promise((resolve, reject) => {
      if (failure !== undefined) {
        reject(failure);
        return;
      }
      pending.set(message.id, { resolve, reject });
      worker.postMessage(message);
    });

  let closing: Promise<void> | undefined;
  return {
    async start() {
      await request({ kind: 'start', id: nextId++ });
    },
    nextBatch(signal, maxMessages): Promise<DecodedConsumedBatch> {
      const empty: DecodedConsumedBatch = { messages: [], decoded: [], nextOffsets: [] };
      if (signal?.aborted === true) return Promise.resolve(empty);
      const id = nextId++;
      const reply = request({ kind: 'next', id, maxMessages });
      if (signal === undefined) return reply.then(unpackReply);
      return new Promise((resolve, reject) => {
        // Like BatchConsumer.nextBatch: an abort resolves empty at once. A batch the worker hands
        // over afterwards is dropped here and never stored, so it is read again after a restart.
        const onAbort = (): void => {
          pending.delete(id);
          if (!exited) worker.postMessage({ kind: 'cancel', id } satisfies DecodeWorkerRequest);
          resolve(empty);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        reply.then(
          (answer) => {
            signal.removeEventListener('abort', onAbort);
            resolve(unpackReply(answer));
          },
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      });
    },
    async commitOffsets(offsets) {
      return (await request({ kind: 'commit', id: nextId++, offsets })).committed ?? [];
    },
    status: () => status,
    close() {
      closing ??= (async () => {
        if (!exited && failure === undefined) {
          try {
            await request({ kind: 'close', id: nextId++ });
          } catch (error: unknown) {
            log.warn({ err: error }, 'closing the ingest worker consumer failed');
          }
        }
        failAll(new RetourError('RETOUR_CONSUMER_CRASHED', 'the ingest worker consumer is closed'));
        if (!exited) await worker.terminate();
      })();
      return closing;
    },
  };
}

function unpackReply(reply: DecodeWorkerReply & { ok: true }): DecodedConsumedBatch {
  if (reply.batch === undefined) throw new TypeError(`the ingest worker answered request ${reply.id} without a batch`);
  const { messages, decoded, nextOffsets } = unpackBatch(reply.batch);
  return { messages, decoded, nextOffsets };
}
