/**
 * The ingest worker thread (see worker-decoding-consumer.ts): a kafkajs BatchConsumer and the
 * decoding of its messages, answering the writer thread's requests one at a time. Nothing here
 * touches DuckDB.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { isRetourError } from '../../domain/errors/retour-error.ts';
import { createBatchConsumer } from '../../messaging/consumer/create-batch-consumer.ts';
import { decodeBatch } from '../ingest-batch.ts';
import { packBatch } from './packed-batch.ts';
import type { DecodeWorkerData, DecodeWorkerReply, DecodeWorkerRequest, SerializedError } from './worker-decoding-consumer.ts';

if (parentPort === null) throw new Error('decode-worker.ts runs as a worker thread (see createWorkerDecodingConsumer)');
const port = parentPort;
const data = workerData as DecodeWorkerData;
const logger = pino({ level: data.logLevel, base: { service: 'retour', thread: 'ingest-worker' } }, pino.destination({ fd: 2, sync: false }));
const consumer = createBatchConsumer({ ...data.consumer, logger });
/** The abort controller of the `next` request being served, by request id. */
const inFlight = new Map<number, AbortController>();

function serializeError(error: unknown): SerializedError {
  if (isRetourError(error)) return { message: error.message, code: error.code, details: error.details };
  return { message: error instanceof Error ? error.message : String(error) };
}

async function serve(request: DecodeWorkerRequest): Promise<void> {
  try {
    switch (request.kind) {
      case 'start':
        await consumer.start();
        reply({ id: request.id, ok: true, status: consumer.status() });
        return;
      case 'next': {
        const controller = new AbortController();
        inFlight.set(request.id, controller);
        try {
          const { messages, nextOffsets } = await consumer.nextBatch(controller.signal, request.maxMessages);
          const decoded = decodeBatch(messages, { maxEventBytes: data.maxEventBytes });
          const { packed, transfer } = packBatch(messages, decoded, nextOffsets);
          reply({ id: request.id, ok: true, status: consumer.status(), batch: packed }, transfer);
        } finally {
          inFlight.delete(request.id);
        }
        return;
      }
      case 'cancel':
        inFlight.get(request.id)?.abort();
        return;
      case 'commit': {
        const committed = await consumer.commitOffsets(request.offsets);
        reply({ id: request.id, ok: true, status: consumer.status(), committed });
        return;
      }
      case 'close':
        await consumer.close();
        reply({ id: request.id, ok: true, status: consumer.status() });
        logger.flush();
        port.close();
        return;
    }
  } catch (error: unknown) {
    reply({ id: request.id, ok: false, status: consumer.status(), error: serializeError(error) });
  }
}

function reply(message: DecodeWorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', (request: DecodeWorkerRequest) => {
  void serve(request);
});
