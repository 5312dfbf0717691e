import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.ts';
import { createKafkaAdmin } from '../messaging/admin/create-kafka-admin.ts';
import type { ConsumerConnection, ConsumerConnectionState } from '../messaging/consumer/batch-consumer.ts';
import { createBatchConsumer, type BatchConsumerOptions } from '../messaging/consumer/create-batch-consumer.ts';
import { createEventProducer, type EventProducer } from '../messaging/producer/create-event-producer.ts';
import { topicPartitionKey, type TopicPartitionOffset } from '../messaging/topic-partition-offset.ts';
import type { RetourMetrics } from '../observability/metrics-registry.ts';
import { readStoredOffsets } from '../store/read-stored-offsets.ts';
import { decodeInProcess, type DecodingConsumer } from './decoding-consumer.ts';
import { kafkaSecurityFromConfig, type KafkaSecurityConfig } from './kafka-security-from-config.ts';
import { createEventBatchWriter, writeDecodedBatch, writerSettingsFromConfig, type BatchOutcome, type RawMessage } from './ingest-batch.ts';
import type { DecodedMessage } from './decode-raw-message.ts';
import type { IngestPacer } from './ingest-pacer.ts';
import { recordBatchMetrics } from './record-batch-metrics.ts';
import { deadLetterRequests, toDeadLetterMessage } from './kafka-dead-letter-message.ts';
import { republishDeadLetters } from './kafka-dead-letter-recovery.ts';
import { createWorkerDecodingConsumer } from './worker/worker-decoding-consumer.ts';

export type KafkaIngestConfig = Pick<
  Config,
  'kafkaBrokers' | 'kafkaClientId' | 'topics' | 'groupId' | 'topicDeadLetters' | 'batchMaxEvents' | 'batchMaxWaitMs' | 'maxEventBytes'
> &
  Partial<Pick<Config, 'duckdbMemoryLimit' | 'duckdbCheckpointThreshold' | 'ingestThread'>> &
  KafkaSecurityConfig;

/** Consumer settings that are not configuration (tuning, tests of crash behaviour). */
export type KafkaConsumerTuning = Pick<
  BatchConsumerOptions,
  'fetch' | 'maxBufferedMessages' | 'sessionTimeoutMs' | 'retries' | 'maxOutageMs' | 'connectionGraceMs'
>;

export interface KafkaIngestOptions {
  /** The writer connection of the database (one writer process owns the file). */
  readonly connection: DuckDBConnection;
  readonly config: KafkaIngestConfig;
  readonly logger: Logger;
  /** Aborting drains: the batch being written is finished and committed, then everything closes. */
  readonly signal: AbortSignal;
  /** Return once no message came for this long (after joining the group) and all is committed. */
  readonly exitWhenIdleMs?: number;
  readonly consumerTuning?: KafkaConsumerTuning;
  /**
   * Micro-batch size while ingest is far behind (lag ≥ this many messages): fewer, larger
   * transactions (a DuckDB row group is 122,880 rows). Default: RETOUR_BATCH_MAX_EVENTS, i.e. no
   * catch-up mode. Memory grows with it: about two batches of messages are held at once.
   */
  readonly catchUpBatchMessages?: number;
  /**
   * DuckDB `threads` of the database instance, set when the writer opens (instance-wide: in
   * `retour serve` the jobs share it). 1 halved the CPU of a batch's write on a 2-core machine,
   * where the JavaScript thread already takes a core (docs/ingest.md § Speed). `retour ingest`
   * passes RETOUR_INGEST_DUCKDB_THREADS (default 1); absent or 0 = DuckDB's default.
   */
  readonly writerThreads?: number;
  /** Cadence of the info-level progress line (default 10 s). */
  readonly progressIntervalMs?: number;
  /** Called after every committed batch (progress bars, benchmarks). */
  readonly onBatch?: (progress: KafkaIngestProgress) => void;
  /**
   * Told, after the commit, of the open flags a batch's review decisions closed (decisions from
   * another publisher); `retour serve` hides them from the API's risk snapshots until the next risk run.
   */
  readonly onFlagsClosed?: (flags: readonly { flagId: string; customerId: string }[]) => void;
  /** Gives way to the API in `retour serve` (ingest-pacer.ts); absent = always full speed. */
  readonly pacer?: IngestPacer;
  /** The process's metrics (`retour serve`): events by outcome, batch durations, lag, rests, consumer state. */
  readonly metrics?: RetourMetrics;
  /**
   * Told whenever the consumer's connection changes (state, or the last error while reconnecting),
   * first once it has started; `retour serve` turns it into /readyz. Seen between batches, so at
   * least every RETOUR_BATCH_MAX_WAIT_MS while no batch is being written.
   */
  readonly onConsumerConnection?: (connection: ConsumerConnection) => void;
}

export interface KafkaIngestProgress {
  readonly consumed: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly deadLettered: number;
  readonly batches: number;
}

export interface KafkaIngestSummary extends KafkaIngestProgress {
  readonly stoppedBy: 'signal' | 'idle';
  readonly elapsedMs: number;
  /** Dead letters re-published at start-up because a previous run may not have sent them. */
  readonly deadLettersRecovered: number;
}

interface DecodedBatch {
  readonly messages: readonly RawMessage[];
  readonly decoded: readonly DecodedMessage[];
}

const EMPTY_DECODED: DecodedBatch = Object.freeze({ messages: [], decoded: [] });
/** Most dead letters per produce request, as the re-publication after a restart sends them. */
const DEAD_LETTERS_PER_REQUEST = 1000;
const CONSUMER_STATES: readonly ConsumerConnectionState[] = ['connecting', 'consuming', 'reconnecting'];

/**
 * `retour ingest`: Kafka → DuckDB with neither loss nor duplicates (docs/kafka-ingest.md).
 *
 * Per micro-batch: ingestBatch (events, bookkeeping and next offsets in ONE DuckDB transaction) →
 * dead letters of the quarantined messages to the dead-letter topic → offsets committed to the
 * Kafka group. The consumer starts from, and re-seeks to on every assignment, the offsets stored
 * in DuckDB; the group's committed offsets only serve lag monitoring and as the dead-letter
 * watermark. Rejects with RETOUR_CONSUMER_CRASHED / RETOUR_KAFKA_UNAVAILABLE when Kafka gives up,
 * and with the store's error when a batch cannot be written: the caller exits non-zero.
 */
export async function runKafkaIngest(options: KafkaIngestOptions): Promise<KafkaIngestSummary> {
  const { config, connection, logger, signal } = options;
  if (config.kafkaBrokers.length === 0) throw new TypeError('runKafkaIngest needs RETOUR_KAFKA_BROKERS; got none');
  const startedAt = performance.now();
  const totals = { consumed: 0, stored: 0, duplicates: 0, quarantined: 0, deadLettered: 0, batches: 0 };
  const topics = new Set(config.topics);
  const storedNext = new Map<string, TopicPartitionOffset>();
  for (const offset of await readStoredOffsets(connection)) {
    if (topics.has(offset.topic)) storedNext.set(topicPartitionKey(offset.topic, offset.partition), offset);
  }
  // Stored in DuckDB but not yet committed to the group: all of them at start (Kafka may lag).
  const uncommitted = new Map(storedNext);

  const catchUpBatchMessages = options.catchUpBatchMessages ?? config.batchMaxEvents;
  if (!Number.isInteger(catchUpBatchMessages) || catchUpBatchMessages < 1) {
    throw new RangeError(`catchUpBatchMessages must be an integer >= 1; got ${catchUpBatchMessages}`);
  }
  // Read before anything connects: a missing CA or password file is a configuration error.
  const security = kafkaSecurityFromConfig(config);
  const writer = await createEventBatchWriter(connection, writerSettingsFromConfig(config, options.writerThreads));
  let producer: EventProducer | undefined;
  let consumer: DecodingConsumer | undefined;
  try {
    producer = createEventProducer({ brokers: config.kafkaBrokers, security, clientId: config.kafkaClientId, logger, retries: 8 });
    const admin = await createKafkaAdmin({ brokers: config.kafkaBrokers, security, clientId: config.kafkaClientId, logger });
    let deadLettersRecovered: number;
    try {
      deadLettersRecovered = await republishDeadLetters({
        connection,
        admin,
        producer,
        groupId: config.groupId,
        deadLetterTopic: config.topicDeadLetters,
        storedOffsets: [...storedNext.values()],
        logger,
      });
    } finally {
      await admin.close();
    }

    const batchOptions = { maxEventBytes: config.maxEventBytes };
    const consumerOptions: BatchConsumerOptions = {
      brokers: config.kafkaBrokers,
      security,
      clientId: config.kafkaClientId,
      groupId: config.groupId,
      topics: config.topics,
      logger,
      startOffsets: [...storedNext.values()],
      maxBatchMessages: Math.max(config.batchMaxEvents, catchUpBatchMessages),
      maxBatchWaitMs: config.batchMaxWaitMs,
      ...options.consumerTuning,
    };
    consumer =
      // RETOUR_INGEST_THREAD=worker: kafkajs and decoding on a worker thread (worker/worker-decoding-consumer.ts),
      // so `retour serve`'s API does not wait behind them; a config without the setting stays on this thread.
      config.ingestThread === 'worker'
        ? createWorkerDecodingConsumer({ ...consumerOptions, ...batchOptions })
        : decodeInProcess(createBatchConsumer(consumerOptions), batchOptions);
    await consumer.start();
    logger.info(
      { topics: config.topics, groupId: config.groupId, storedPartitions: storedNext.size, deadLettersRecovered },
      'ingest started; positions come from the database',
    );

    const progressIntervalMs = options.progressIntervalMs ?? 10_000;
    let lastProgressAt = performance.now();
    let consumedAtLastProgress = 0;
    let stoppedBy: KafkaIngestSummary['stoppedBy'] = 'signal';

    const activeConsumer = consumer;
    let reportedConnection: ConsumerConnection | undefined;
    /** One log line per change of state (not per error kafkajs retries), the metric and the caller. */
    const reportConnection = (): void => {
      const connection = activeConsumer.status().connection;
      const previous = reportedConnection;
      if (previous !== undefined && previous.state === connection.state && previous.since === connection.since && previous.lastError === connection.lastError) return;
      reportedConnection = connection;
      if (previous?.state !== connection.state) {
        if (connection.state === 'reconnecting') {
          logger.warn(
            { since: new Date(connection.since).toISOString(), lastError: connection.lastError, groupId: config.groupId },
            'Kafka consumer lost the brokers; ingest is reconnecting (not ready until it consumes again)',
          );
        } else if (previous?.state === 'reconnecting') {
          logger.info({ outageMs: connection.since - previous.since, groupId: config.groupId }, 'Kafka consumer is consuming again');
        }
        if (options.metrics !== undefined) {
          for (const state of CONSUMER_STATES) options.metrics.ingestConsumerState.set({ state }, state === connection.state ? 1 : 0);
          options.metrics.ingestConsumerStateSince.set({}, connection.since / 1000);
        }
      }
      options.onConsumerConnection?.(connection);
    };
    reportConnection();
    /** Fetches the next micro-batch and decodes it: JavaScript work that overlaps DuckDB's write of the previous one. */
    const readBatch = async (): Promise<DecodedBatch> => {
      const behind = catchUpBatchMessages > config.batchMaxEvents && currentLag(activeConsumer, storedNext) >= catchUpBatchMessages;
      const batchMessages = behind ? catchUpBatchMessages : config.batchMaxEvents;
      const { messages, decoded } = await activeConsumer.nextBatch(signal, options.pacer?.batchMessages(batchMessages) ?? batchMessages);
      return messages.length === 0 ? EMPTY_DECODED : { messages, decoded };
    };
    let next = await readBatch();
    let lastBatchMs = 0;

    while (!signal.aborted) {
      reportConnection();
      if (options.pacer !== undefined && next.messages.length > 0) {
        const restStartedAt = performance.now();
        await options.pacer.pause(lastBatchMs, signal);
        options.metrics?.ingestYielded.inc({}, (performance.now() - restStartedAt) / 1000);
      }
      const batch = next;
      next = EMPTY_DECODED;
      let writing: Promise<BatchOutcome> | undefined;
      const batchStartedAt = performance.now();
      let writtenAt = batchStartedAt;
      if (batch.messages.length > 0) {
        writing = writeDecodedBatch(writer, batch.messages, batch.decoded, batchOptions).then((outcome) => {
          writtenAt = performance.now();
          return outcome;
        });
        // Awaited below; this only keeps a failure from being reported as unhandled meanwhile.
        writing.catch(() => undefined);
      }
      // Batches are still written one after the other, each committed before the next starts; only
      // the fetch and decode of batch n+1 run while DuckDB's threads write batch n.
      try {
        if (!signal.aborted) next = await readBatch();
      } catch (error: unknown) {
        await writing?.catch(() => undefined);
        throw error;
      }
      if (writing !== undefined) {
        const outcome = await writing;
        // The write's wall time (fetch and decode of the next batch overlap it, waits for messages do not).
        lastBatchMs = writtenAt - batchStartedAt;
        const deadLettersAt = performance.now();
        if (outcome.quarantined.length > 0) {
          // After the DuckDB commit, before the Kafka commit: the group offset is the dead-letter
          // watermark, so a crash here is repaired by republishDeadLetters at the next start.
          const letters = outcome.quarantined.map((entry) =>
            toDeadLetterMessage({
              value: entry.message.value,
              code: entry.code,
              path: entry.path,
              reason: entry.reason,
              eventId: entry.eventId,
              eventType: entry.eventType,
              topic: entry.message.topic,
              partition: entry.message.partition,
              offset: entry.message.offset,
            }),
          );
          // In requests Kafka accepts (a batch's dead letters can hold megabytes).
          for (const request of deadLetterRequests(letters, DEAD_LETTERS_PER_REQUEST)) await producer.send(config.topicDeadLetters, request);
        }
        for (const offset of outcome.nextOffsets) {
          const key = topicPartitionKey(offset.topic, offset.partition);
          storedNext.set(key, offset);
          uncommitted.set(key, offset);
        }
        totals.consumed += outcome.consumed;
        totals.stored += outcome.stored;
        totals.duplicates += outcome.duplicates;
        totals.quarantined += outcome.quarantined.length;
        totals.deadLettered += outcome.quarantined.length;
        totals.batches += 1;
        logger.debug(
          {
            messages: batch.messages.length,
            stored: outcome.stored,
            duplicates: outcome.duplicates,
            quarantined: outcome.quarantined.length,
            writeMs: Math.round(writtenAt - batchStartedAt),
            deadLetterMs: Math.round(performance.now() - deadLettersAt),
            storedByType: outcome.storedByType,
          },
          'batch committed',
        );
        if (outcome.closedFlags.length > 0) options.onFlagsClosed?.(outcome.closedFlags);
        options.onBatch?.({ ...totals });
        if (options.metrics !== undefined) {
          recordBatchMetrics(options.metrics, outcome, lastBatchMs / 1000);
          for (const { topic, partition, lag } of partitionLags(consumer, storedNext)) options.metrics.ingestLag.set({ topic, partition: String(partition) }, lag);
        }
      }
      if (uncommitted.size > 0 && consumer.status().joined) {
        try {
          for (const committed of await consumer.commitOffsets([...uncommitted.values()])) {
            const key = topicPartitionKey(committed.topic, committed.partition);
            if (uncommitted.get(key)?.nextOffset === committed.nextOffset) uncommitted.delete(key);
          }
        } catch (error: unknown) {
          // Monitoring only: the database holds the positions. Retried after the next batch.
          logger.warn({ err: error }, 'committing offsets to the Kafka group failed; retrying after the next batch');
        }
      }
      const now = performance.now();
      // While idle (nothing consumed since the last line) one line every ten intervals is enough.
      const idleSinceLastProgress = totals.consumed === consumedAtLastProgress;
      if (now - lastProgressAt >= progressIntervalMs * (idleSinceLastProgress ? 10 : 1)) {
        const seconds = (now - lastProgressAt) / 1000;
        logger.info(
          {
            ...totals,
            eventsPerSecond: Math.round((totals.consumed - consumedAtLastProgress) / seconds),
            lag: currentLag(consumer, storedNext),
            bufferedMessages: consumer.status().bufferedMessages,
          },
          'ingest progress',
        );
        lastProgressAt = now;
        consumedAtLastProgress = totals.consumed;
      }
      if (options.exitWhenIdleMs !== undefined && next.messages.length === 0 && isIdle(consumer, uncommitted, options.exitWhenIdleMs)) {
        stoppedBy = 'idle';
        break;
      }
    }

    const summary: KafkaIngestSummary = { ...totals, stoppedBy, elapsedMs: Math.round(performance.now() - startedAt), deadLettersRecovered };
    logger.info({ ...summary, lag: currentLag(consumer, storedNext) }, stoppedBy === 'idle' ? 'ingest idle; stopping' : 'ingest stopped');
    return summary;
  } finally {
    await consumer?.close();
    await producer?.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the producer failed'));
    await writer.close();
  }
}

/** Lag per partition known from the last fetches: high watermark minus the stored next offset. */
function partitionLags(consumer: DecodingConsumer, storedNext: ReadonlyMap<string, TopicPartitionOffset>): { topic: string; partition: number; lag: number }[] {
  return consumer.status().highWatermarks.map(({ topic, partition, highWatermark }) => ({
    topic,
    partition,
    lag: Math.max(0, highWatermark - (storedNext.get(topicPartitionKey(topic, partition))?.nextOffset ?? 0)),
  }));
}

/** The lag of all partitions, summed. */
function currentLag(consumer: DecodingConsumer, storedNext: ReadonlyMap<string, TopicPartitionOffset>): number {
  return partitionLags(consumer, storedNext).reduce((sum, partition) => sum + partition.lag, 0);
}

function isIdle(consumer: DecodingConsumer, uncommitted: ReadonlyMap<string, TopicPartitionOffset>, idleMs: number): boolean {
  const status = consumer.status();
  if (!status.joined || status.joinedAt === undefined || status.bufferedMessages > 0) return false;
  const assigned = new Set(status.assigned.map(({ topic, partition }) => topicPartitionKey(topic, partition)));
  for (const key of uncommitted.keys()) if (assigned.has(key)) return false;
  return Date.now() - Math.max(status.joinedAt, status.lastMessageAt ?? 0) >= idleMs;
}
