import type { BatchConsumer } from '../messaging/consumer/batch-consumer.ts';
import type { TopicPartitionOffset } from '../messaging/topic-partition-offset.ts';
import type { DecodedMessage } from './decode-raw-message.ts';
import { decodeBatchInSlices, type IngestBatchOptions, type RawMessage } from './ingest-batch.ts';

/** A micro-batch as consumed from Kafka and decoded, ready for writeDecodedBatch. */
export interface DecodedConsumedBatch {
  readonly messages: readonly RawMessage[];
  /** `decoded[i]` is the decoding of `messages[i]`. */
  readonly decoded: readonly DecodedMessage[];
  readonly nextOffsets: readonly TopicPartitionOffset[];
}

/**
 * A BatchConsumer whose batches come decoded. Two implementations: decodeInProcess (the consumer
 * and the decoding on the caller's thread, in slices) and createWorkerDecodingConsumer (both on an
 * ingest worker thread, so the caller's event loop — the API's in `retour serve` — only writes).
 */
export interface DecodingConsumer extends Omit<BatchConsumer, 'nextBatch'> {
  nextBatch(signal?: AbortSignal, maxMessages?: number): Promise<DecodedConsumedBatch>;
}

const EMPTY: DecodedConsumedBatch = Object.freeze({ messages: [], decoded: [], nextOffsets: [] });

/** `consumer` with each batch decoded on this thread, yielding to the event loop about every millisecond. */
export function decodeInProcess(consumer: BatchConsumer, options: IngestBatchOptions): DecodingConsumer {
  return {
    start: () => consumer.start(),
    commitOffsets: (offsets) => consumer.commitOffsets(offsets),
    status: () => consumer.status(),
    close: () => consumer.close(),
    async nextBatch(signal, maxMessages) {
      const { messages, nextOffsets } = await consumer.nextBatch(signal, maxMessages);
      if (messages.length === 0) return EMPTY;
      return { messages, decoded: await decodeBatchInSlices(messages, options), nextOffsets };
    },
  };
}
