import type { TopicPartitionOffset } from '../topic-partition-offset.ts';

/**
 * One Kafka record as ingest needs it. No key and no headers: ingest never reads them, and a batch's
 * messages live until it is written, so every field kept is copied by each young-generation GC.
 */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: Buffer | null;
}

/** A micro-batch: messages from any number of partitions, each partition's in offset order. */
export interface ConsumedBatch {
  readonly messages: readonly ConsumedMessage[];
  /** For each partition in the batch, the offset after its last message in the batch. */
  readonly nextOffsets: readonly TopicPartitionOffset[];
}

/**
 * Whether the consumer reaches Kafka: `connecting` until it first joins its group, `consuming`
 * while it is a member that fetches, `reconnecting` while kafkajs retries after losing the
 * brokers (connection errors, request timeouts, a rebalance or a crash it restarts from) for longer
 * than a short grace. When kafkajs gives up, nextBatch rejects with RETOUR_CONSUMER_CRASHED instead.
 */
export type ConsumerConnectionState = 'connecting' | 'consuming' | 'reconnecting';

export interface ConsumerConnection {
  readonly state: ConsumerConnectionState;
  /** When this state began (ms since epoch); for `reconnecting` the first failure of the outage. */
  readonly since: number;
  /** While reconnecting: the last Kafka error (kafkajs' name and message: brokers, never credentials). */
  readonly lastError: string | undefined;
}

export interface BatchConsumerStatus {
  readonly connection: ConsumerConnection;
  /** True between joining the group and the next rebalance or crash. */
  readonly joined: boolean;
  /** When the consumer last joined the group (ms since epoch), undefined before the first join. */
  readonly joinedAt: number | undefined;
  /** When a message last arrived (ms since epoch), undefined before the first. */
  readonly lastMessageAt: number | undefined;
  readonly assigned: readonly { readonly topic: string; readonly partition: number }[];
  /** Fetched messages not yet handed over by nextBatch. */
  readonly bufferedMessages: number;
  /** High watermark per partition as last reported by a fetch. */
  readonly highWatermarks: readonly { readonly topic: string; readonly partition: number; readonly highWatermark: number }[];
}

/**
 * Retour's consumer: micro-batches across partitions, positions owned by the caller. The caller
 * gives the offsets it has stored; the consumer seeks there on every partition assignment and never
 * hands over a message below a partition's position, whatever the group's committed offsets say.
 */
export interface BatchConsumer {
  /** Connects and joins the group in the background. Rejects with RETOUR_KAFKA_UNAVAILABLE. */
  start(): Promise<void>;
  /**
   * Resolves with up to `maxMessages` messages (default and upper bound: `maxBatchMessages`), as
   * soon as that many are there or `maxBatchWaitMs` has passed (possibly with none). Resolves empty
   * at once when `signal` is aborted. Rejects with RETOUR_CONSUMER_CRASHED when kafkajs gave up.
   */
  nextBatch(signal?: AbortSignal, maxMessages?: number): Promise<ConsumedBatch>;
  /**
   * Commits offsets to the group (for lag monitoring; positions come from the caller's store).
   * Partitions not assigned right now are left out; resolves with the offsets it committed.
   * Rejects with RETOUR_KAFKA_UNAVAILABLE.
   */
  commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<readonly TopicPartitionOffset[]>;
  status(): BatchConsumerStatus;
  /** Leaves the group and disconnects; fetched but not handed over messages are dropped. Closing twice is harmless. */
  close(): Promise<void>;
}
