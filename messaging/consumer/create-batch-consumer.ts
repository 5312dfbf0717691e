import type { Batch, Consumer, EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { createKafkaClient } from '../create-kafka-client.ts';
import type { KafkaSecurity } from '../kafka-security.ts';
import { kafkaUnavailableError } from '../kafka-unavailable-error.ts';
import { topicPartitionKey, type TopicPartitionOffset } from '../topic-partition-offset.ts';
import type { BatchConsumer, BatchConsumerStatus, ConsumedBatch, ConsumedMessage } from './batch-consumer.ts';
import { ConsumerConnectionTracker, describeKafkaError } from './consumer-connection-tracker.ts';
import { PartitionPositions } from './partition-positions.ts';

/**
 * Default fetch sizes. kafkajs decodes a whole fetch response in one synchronous stretch (record
 * batches are awaited, but only microtasks run in between), ≈ 1.5 µs a record: 32 MiB fetches held
 * the event loop 200–400 ms, 2 MiB ones 5–10 ms, 256 KiB ones ≈ 1–2 ms, at the same throughput of a
 * bare consume (docs/kafka-ingest.md). Kafka never splits a record batch, so a fetch still returns
 * at least the first whole record batch of a partition, however small these limits.
 */
export const DEFAULT_FETCH = Object.freeze({ maxBytesPerPartition: 64 * 1024, maxBytes: 256 * 1024, minBytes: 1, maxWaitTimeInMs: 100 });

export interface FetchTuning {
  /** Bytes one fetch may return per partition (kafkajs default 1 MiB; default here 64 KiB). */
  readonly maxBytesPerPartition?: number;
  /** Bytes one fetch may return in all (default 256 KiB; see DEFAULT_FETCH). */
  readonly maxBytes?: number;
  /** The broker holds a fetch until this many bytes are there or `maxWaitTimeInMs` passed (default 1). */
  readonly minBytes?: number;
  /** Longest the broker holds a fetch (default 100 ms). */
  readonly maxWaitTimeInMs?: number;
  /** Partition batches kafkajs hands over concurrently (default 1: hand-over is synchronous and cheap). */
  readonly partitionsConsumedConcurrently?: number;
}

export interface BatchConsumerOptions {
  readonly brokers: readonly string[];
  /** TLS and SASL settings (kafkaSecurityFromConfig); none = plaintext. */
  readonly security?: KafkaSecurity | undefined;
  readonly clientId: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly logger: Logger;
  /**
   * Where each partition starts: the next offsets the caller has stored. Partitions without one
   * start at their earliest offset (never at the group's committed offset, which may belong to
   * another database).
   */
  readonly startOffsets: readonly TopicPartitionOffset[];
  /** Largest micro-batch nextBatch returns. */
  readonly maxBatchMessages: number;
  /** Longest nextBatch waits for a batch to fill. */
  readonly maxBatchWaitMs: number;
  /**
   * Fetched messages held in memory before fetching pauses (default maxBatchMessages: one batch
   * ready while the previous one is decoded and written; each buffered message pins its fetch buffer).
   */
  readonly maxBufferedMessages?: number;
  readonly fetch?: FetchTuning;
  /** Group session timeout (default 10000 ms: a killed ingest's partitions come back within 10 s). */
  readonly sessionTimeoutMs?: number;
  /** Retries of one failing Kafka operation before the consumer crashes (default 6, ≈ 20 s with backoff). */
  readonly retries?: number;
  /**
   * How long Kafka may stay unusable (a broker restart, a network cut) before the consumer gives
   * up for good: kafkajs restarts the consumer after each crash on a retriable error until this
   * long has passed since the first crash without a group join in between (default 60 s).
   */
  readonly maxOutageMs?: number;
  /**
   * How long Kafka trouble must last, with no fetch or heartbeat answered meanwhile, before
   * status().connection says `reconnecting` (default 2000 ms; see ConsumerConnectionTracker).
   */
  readonly connectionGraceMs?: number;
  /** Earliest offsets of partitions without a start offset; default asks Kafka (tests inject). */
  readonly earliestOffsets?: (topics: readonly string[]) => Promise<readonly TopicPartitionOffset[]>;
}

interface BufferedChunk {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly ConsumedMessage[];
  /** Index of the first message not handed over yet. */
  start: number;
  readonly nextOffset: number;
}

const EMPTY_BATCH: ConsumedBatch = Object.freeze({ messages: [], nextOffsets: [] });

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1; got ${value}`);
  return value;
}

/**
 * A kafkajs consumer behind Retour's BatchConsumer interface (see batch-consumer.ts and
 * docs/kafka-ingest.md for why positions are the caller's, not Kafka's).
 *
 * kafkajs hands each partition's fetch to `eachBatch`, which only admits it into an in-memory
 * buffer (PartitionPositions decides what to keep) and returns; `nextBatch` drains the buffer
 * across partitions. Fetching so continues while the caller writes the previous batch, and the
 * buffer bound is the back-pressure.
 *
 * @example
 * const consumer = createBatchConsumer({ brokers, clientId: 'retour', groupId: 'retour', topics,
 *   logger, startOffsets: await readStoredOffsets(connection), maxBatchMessages: 20_000, maxBatchWaitMs: 250 });
 * await consumer.start();
 * const batch = await consumer.nextBatch(signal);
 */
/** Errors a metadata request answers while the broker is still creating a topic it was asked about. */
const TOPIC_BEING_CREATED = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);
const TOPIC_CREATION_WAIT_MS = 15_000;

/**
 * Subscribes, waiting while missing topics are auto-created: a broker with
 * auto.create.topics.enable creates a topic on the first metadata request that names it but
 * answers that request "This server does not host this topic-partition", which kafkajs' subscribe
 * throws (a first `retour ingest` on a fresh cluster failed on it). A cluster that does not create
 * topics gets an error that says so.
 */
async function subscribeWhileTopicsAreCreated(consumer: Consumer, topics: readonly string[], missing: readonly string[]): Promise<void> {
  const deadline = Date.now() + TOPIC_CREATION_WAIT_MS;
  for (;;) {
    try {
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      return;
    } catch (error: unknown) {
      const type = (error as { type?: unknown }).type;
      if (missing.length === 0 || typeof type !== 'string' || !TOPIC_BEING_CREATED.has(type)) throw error;
      if (Date.now() >= deadline) {
        throw new Error(
          `topics ${missing.join(', ')} do not exist and the cluster did not create them within ${TOPIC_CREATION_WAIT_MS / 1000} s: create them, or remove them from RETOUR_TOPICS (${String(error)})`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export function createBatchConsumer(options: BatchConsumerOptions): BatchConsumer {
  if (options.brokers.length === 0) throw new TypeError('createBatchConsumer needs at least one broker; got none');
  if (options.topics.length === 0) throw new TypeError('createBatchConsumer needs at least one topic; got none');
  const maxBatchMessages = positiveInteger('maxBatchMessages', options.maxBatchMessages);
  const maxBatchWaitMs = positiveInteger('maxBatchWaitMs', options.maxBatchWaitMs);
  const maxBufferedMessages = positiveInteger('maxBufferedMessages', options.maxBufferedMessages ?? maxBatchMessages);
  const maxOutageMs = options.maxOutageMs ?? 60_000;
  const logger = options.logger.child({ component: 'kafka-consumer', groupId: options.groupId });

  const connection = new ConsumerConnectionTracker({ graceMs: options.connectionGraceMs ?? 2000 });
  const kafka = createKafkaClient({
    brokers: options.brokers,
    security: options.security,
    clientId: options.clientId,
    logger: options.logger,
    onConnectionError: (message) => connection.troubled(message),
    // The first failed connection stays a warning; kafkajs' retries of it go to debug until it
    // recovers (ingest logs the outage itself, once it outlasts the grace).
    quietConnectionErrors: () => connection.isTroubled(),
  });
  /** First crash since the last group join: the start of the current outage. */
  let outageStartedAt: number | undefined;
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 10_000) / 3)),
    maxBytesPerPartition: options.fetch?.maxBytesPerPartition ?? DEFAULT_FETCH.maxBytesPerPartition,
    maxBytes: options.fetch?.maxBytes ?? DEFAULT_FETCH.maxBytes,
    minBytes: options.fetch?.minBytes ?? DEFAULT_FETCH.minBytes,
    maxWaitTimeInMs: options.fetch?.maxWaitTimeInMs ?? DEFAULT_FETCH.maxWaitTimeInMs,
    readUncommitted: false,
    retry: {
      retries: options.retries ?? 6,
      initialRetryTime: 300,
      maxRetryTime: 10_000,
      // kafkajs would otherwise restart forever on retriable errors: a silent loop. Restart while
      // the outage is young (a broker restart), then crash for good so the process exits non-zero.
      restartOnFailure: async (error: Error) => {
        const now = Date.now();
        outageStartedAt ??= now;
        const outageMs = now - outageStartedAt;
        const allowed = outageMs < maxOutageMs;
        logger.warn(
          { err: error, restart: allowed, outageMs, maxOutageMs },
          allowed ? 'Kafka consumer failed on a retriable error; restarting it' : `Kafka unusable for ${Math.round(outageMs / 1000)} s; giving up`,
        );
        return allowed;
      },
    },
  });

  const positions = new PartitionPositions();
  for (const offset of options.startOffsets) positions.set(offset.topic, offset.partition, offset.nextOffset);
  const chunks: BufferedChunk[] = [];
  const highWatermarks = new Map<string, { topic: string; partition: number; highWatermark: number }>();
  let buffered = 0;
  let joined = false;
  let joinedAt: number | undefined;
  let lastMessageAt: number | undefined;
  let assigned: { topic: string; partition: number }[] = [];
  let crashed: RetourError | undefined;
  let started = false;
  let closed = false;
  let closing: Promise<void> | undefined;
  /** Whoever waits for messages (nextBatch) or for room (eachBatch) parks a wake-up here. */
  let wakeReader: (() => void) | undefined;
  /** How many buffered messages the waiting nextBatch wants. */
  let wantedMessages = maxBatchMessages;
  let wakeWriters: (() => void)[] = [];

  const notifyReader = (): void => {
    const wake = wakeReader;
    wakeReader = undefined;
    wake?.();
  };
  const notifyWriters = (): void => {
    const waiting = wakeWriters;
    wakeWriters = [];
    for (const wake of waiting) wake();
  };

  const seek = (topic: string, partition: number, offset: number): void => {
    try {
      consumer.seek({ topic, partition, offset: String(offset) });
    } catch (error: unknown) {
      // Only possible while kafkajs restarts; the next GROUP_JOIN seeks every partition anyway.
      logger.warn({ err: error, topic, partition, offset }, 'seek failed; the next group join seeks again');
    }
  };

  const admit = (batch: Batch, fetchedOffset: number): void => {
    const { topic, partition } = batch;
    const messages: ConsumedMessage[] = new Array<ConsumedMessage>(batch.messages.length);
    for (let index = 0; index < batch.messages.length; index++) {
      const message = batch.messages[index]!;
      messages[index] = { topic, partition, offset: Number(message.offset), value: message.value ?? null };
    }
    const verdict = positions.admit({ topic, partition, fetchedOffset, lastOffset: Number(batch.lastOffset()), messages });
    highWatermarks.set(topicPartitionKey(topic, partition), { topic, partition, highWatermark: Number(batch.highWatermark) });
    if (verdict.kind === 'reseek') {
      logger.debug({ topic, partition, fetchedOffset, position: verdict.offset, attempt: verdict.attempt }, 'fetch started beyond the position; seeking back');
      seek(topic, partition, verdict.offset);
      return;
    }
    if (verdict.gap > 0) {
      logger.warn(
        { topic, partition, from: fetchedOffset - verdict.gap, to: fetchedOffset - 1, gap: verdict.gap },
        'Kafka has no records at these offsets any more (retention, compaction or transaction markers); continuing after them',
      );
    }
    if (verdict.skipped > 0) logger.debug({ topic, partition, skipped: verdict.skipped }, 'skipped re-delivered messages below the position');
    if (verdict.messages.length === 0) return;
    chunks.push({ topic, partition, messages: verdict.messages, start: 0, nextOffset: verdict.nextOffset });
    buffered += verdict.messages.length;
    lastMessageAt = Date.now();
    if (buffered >= wantedMessages) notifyReader();
  };

  const eachBatch = async ({ batch, heartbeat, isRunning }: EachBatchPayload): Promise<void> => {
    // Back-pressure: hold this partition's fetch until the caller has drained the buffer, with
    // heartbeats so the group does not evict us meanwhile.
    while (buffered >= maxBufferedMessages && isRunning() && !closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wakeWriters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await heartbeat();
    }
    // kafkajs calls this in the same synchronous stretch as its decode of the fetch response; one
    // turn of the event loop in between keeps the two from adding up (HTTP requests run there).
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Not admitting is always safe: the next fetch then starts beyond the position and is sent back.
    if (!isRunning() || closed) return;
    const fetchedOffset = (batch as Batch & { fetchedOffset?: string }).fetchedOffset;
    admit(batch, Number(fetchedOffset ?? batch.firstOffset() ?? batch.lastOffset()));
  };

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const memberAssignment = event.payload.memberAssignment;
    assigned = Object.entries(memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    // kafkajs would resume from the group's committed offsets; our positions (the caller's stored
    // offsets plus what was handed over since) are the truth. Synchronous on purpose: the listener
    // runs before kafkajs' first fetch of this generation, which then applies the seeks.
    const seeks: TopicPartitionOffset[] = [];
    for (const { topic, partition } of assigned) {
      const position = positions.get(topic, partition);
      if (position === undefined) continue;
      seek(topic, partition, position);
      seeks.push({ topic, partition, nextOffset: position });
    }
    joined = true;
    joinedAt = Date.now();
    outageStartedAt = undefined;
    connection.joined();
    logger.info({ memberId: event.payload.memberId, assigned: assigned.length, seeks, durationMs: event.payload.duration }, 'joined the consumer group');
  });
  consumer.on(consumer.events.START_BATCH_PROCESS, (event) => {
    // Fetches that held only control records (transaction markers) never reach eachBatch; they
    // still move the position, or the next fetch would look like it skipped offsets.
    const { topic, partition, batchSize, firstOffset, lastOffset, highWatermark } = event.payload;
    if (batchSize !== 0 || firstOffset === null || firstOffset === undefined) return;
    const verdict = positions.admit({ topic, partition, fetchedOffset: Number(firstOffset), lastOffset: Number(lastOffset), messages: [] });
    highWatermarks.set(topicPartitionKey(topic, partition), { topic, partition, highWatermark: Number(highWatermark) });
    if (verdict.kind === 'reseek') seek(topic, partition, verdict.offset);
  });
  consumer.on(consumer.events.REBALANCING, () => {
    joined = false;
    connection.left('the consumer group is rebalancing');
    logger.info('the consumer group is rebalancing');
  });
  consumer.on(consumer.events.CRASH, (event) => {
    joined = false;
    connection.left(describeKafkaError(event.payload.error));
    if (event.payload.restart) return;
    const cause = event.payload.error;
    crashed = new RetourError(
      'RETOUR_CONSUMER_CRASHED',
      `the Kafka consumer of group ${options.groupId} stopped on ${cause.name}: ${cause.message} (brokers ${options.brokers.join(',')})`,
      { cause, details: { groupId: options.groupId, brokers: [...options.brokers] } },
    );
    notifyReader();
    notifyWriters();
  });

  // Proof that a broker still serves this member: a fetch answered (even empty) or a heartbeat.
  consumer.on(consumer.events.REQUEST, (event) => {
    if (event.payload.apiName === 'Fetch') connection.answered();
  });
  consumer.on(consumer.events.HEARTBEAT, () => connection.answered());
  consumer.on(consumer.events.REQUEST_TIMEOUT, (event) => {
    connection.troubled(`Request ${event.payload.apiName} to ${event.payload.broker} timed out`);
  });

  const earliestOffsets =
    options.earliestOffsets ??
    (async (topics: readonly string[]): Promise<TopicPartitionOffset[]> => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const known = new Set(await admin.listTopics());
        const result: TopicPartitionOffset[] = [];
        for (const topic of topics.filter((name) => known.has(name))) {
          for (const entry of await admin.fetchTopicOffsets(topic)) result.push({ topic, partition: entry.partition, nextOffset: Number(entry.low) });
        }
        return result;
      } finally {
        await admin.disconnect();
      }
    });

  const take = (limit: number): ConsumedBatch => {
    const messages: ConsumedMessage[] = [];
    const nextOffsets = new Map<string, TopicPartitionOffset>();
    while (messages.length < limit && chunks.length > 0) {
      const chunk = chunks[0]!;
      const end = Math.min(chunk.messages.length, chunk.start + (limit - messages.length));
      for (let index = chunk.start; index < end; index++) messages.push(chunk.messages[index]!);
      const whole = end === chunk.messages.length;
      nextOffsets.set(topicPartitionKey(chunk.topic, chunk.partition), {
        topic: chunk.topic,
        partition: chunk.partition,
        nextOffset: whole ? chunk.nextOffset : chunk.messages[end - 1]!.offset + 1,
      });
      if (whole) chunks.shift();
      else chunk.start = end;
    }
    buffered -= messages.length;
    notifyWriters();
    return { messages, nextOffsets: [...nextOffsets.values()] };
  };

  return {
    async start() {
      if (started) throw new TypeError('the batch consumer was already started');
      started = true;
      try {
        await consumer.connect();
        const missing = new Set(options.topics);
        const earliest = await earliestOffsets(options.topics);
        for (const offset of earliest) {
          if (positions.get(offset.topic, offset.partition) === undefined) positions.set(offset.topic, offset.partition, offset.nextOffset);
          missing.delete(offset.topic);
        }
        if (missing.size > 0) logger.info({ topics: [...missing] }, 'topics do not exist yet; they are read from their start once created');
        await subscribeWhileTopicsAreCreated(consumer, options.topics, [...missing]);
      } catch (error: unknown) {
        await consumer.disconnect().catch(() => undefined);
        throw kafkaUnavailableError(`start the consumer of group ${options.groupId}`, options.brokers, error);
      }
      // run() resolves after the first join, which can take a session timeout when a killed
      // predecessor is still in the group; nextBatch waits meanwhile, interruptible by its signal.
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: true,
          partitionsConsumedConcurrently: options.fetch?.partitionsConsumedConcurrently ?? 1,
          eachBatch,
        })
        .catch((error: unknown) => {
          crashed ??= new RetourError('RETOUR_CONSUMER_CRASHED', `the Kafka consumer of group ${options.groupId} failed to run: ${String(error)}`, { cause: error });
          notifyReader();
        });
    },

    async nextBatch(signal, maxMessages = maxBatchMessages) {
      if (crashed !== undefined) throw crashed;
      if (closed) throw new TypeError('nextBatch called on a closed consumer');
      const limit = Math.min(positiveInteger('maxMessages', maxMessages), maxBatchMessages);
      wantedMessages = limit;
      const deadline = Date.now() + maxBatchWaitMs;
      while (buffered < limit && crashed === undefined && signal?.aborted !== true) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            if (wakeReader === done) wakeReader = undefined;
            resolve();
          };
          const timer = setTimeout(done, remaining);
          signal?.addEventListener('abort', done, { once: true });
          wakeReader = done;
        });
      }
      if (crashed !== undefined) throw crashed;
      if (signal?.aborted === true) return EMPTY_BATCH;
      return buffered === 0 ? EMPTY_BATCH : take(limit);
    },

    async commitOffsets(offsets) {
      const current = new Set(assigned.map(({ topic, partition }) => topicPartitionKey(topic, partition)));
      const mine = offsets.filter((offset) => current.has(topicPartitionKey(offset.topic, offset.partition)));
      if (mine.length === 0 || !joined) return [];
      try {
        await consumer.commitOffsets(mine.map(({ topic, partition, nextOffset }) => ({ topic, partition, offset: String(nextOffset) })));
        return mine;
      } catch (error: unknown) {
        throw kafkaUnavailableError(`commit offsets of group ${options.groupId}`, options.brokers, error);
      }
    },

    status(): BatchConsumerStatus {
      return {
        connection: connection.current(),
        joined,
        joinedAt,
        lastMessageAt,
        assigned: [...assigned],
        bufferedMessages: buffered,
        highWatermarks: [...highWatermarks.values()],
      };
    },

    close() {
      closing ??= (async () => {
        closed = true;
        notifyWriters();
        notifyReader();
        chunks.length = 0;
        buffered = 0;
        try {
          await consumer.disconnect();
        } catch (error: unknown) {
          logger.warn({ err: error }, 'disconnecting the Kafka consumer failed');
        }
      })();
      return closing;
    },
  };
}
