/**
 * Produces simulated events to Kafka: order.* events to the orders topic, everything else to the
 * returns topic, keyed by customer so one customer's events stay in order on one partition.
 * Self-contained on purpose (the ingest side has its own client wrapper).
 */
import { CompressionTypes, Kafka, Partitioners, logLevel, type KafkaConfig, type Message, type ProducerBatch } from 'kafkajs';
import type { RetourEvent } from '../domain/events/event-schemas.ts';
import { RetourError } from '../domain/errors/retour-error.ts';

/** The part of a kafkajs producer the sink uses (a fake one in tests). */
export interface BatchProducer {
  connect(): Promise<void>;
  sendBatch(batch: ProducerBatch): Promise<unknown>;
  disconnect(): Promise<void>;
}

export interface KafkaEventSinkOptions {
  /** Bootstrap brokers, host:port. */
  brokers: readonly string[];
  /** TLS and SASL client options for the brokers (none = plaintext). */
  kafkaOptions?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
  clientId: string;
  /** Topic for order.placed and order.delivered. */
  topicOrders: string;
  /** Topic for every other event type. */
  topicReturns: string;
  /** Messages buffered before one sendBatch. Default 5000. */
  batchSize?: number;
  /**
   * Bytes of message values buffered before one sendBatch. Default 512 KiB: a broker refuses a
   * record batch above its message.max.bytes (1 MiB by default), and 5,000 events of a large
   * simulation were more than that.
   */
  maxBatchBytes?: number;
  /** Use this producer instead of creating one from `brokers` (tests). */
  producer?: BatchProducer;
}

export interface KafkaEventSink {
  /** Buffers the event; sends a batch when the buffer is full. */
  send(event: RetourEvent): Promise<void>;
  /** Sends whatever is buffered. */
  flush(): Promise<void>;
  /** Flushes and disconnects; closing twice is harmless. */
  close(): Promise<void>;
  readonly sent: number;
}

/** The Kafka key of an event: its customer (the `partitionkey` extension, or data.customerId). */
export function eventKey(event: RetourEvent): string | undefined {
  const extension = (event as { partitionkey?: unknown }).partitionkey;
  if (typeof extension === 'string') return extension;
  const data = event.data as { customerId?: unknown };
  return typeof data.customerId === 'string' ? data.customerId : undefined;
}

export function eventTopic(event: RetourEvent, topics: { topicOrders: string; topicReturns: string }): string {
  return event.type.startsWith('order.') ? topics.topicOrders : topics.topicReturns;
}

/**
 * @example
 * const sink = await createKafkaEventSink({ brokers: ['localhost:9092'], clientId: 'retour-simulator', topicOrders: 'marketplace.orders', topicReturns: 'marketplace.returns' });
 * try { for (const event of events) await sink.send(event); } finally { await sink.close(); }
 */
export async function createKafkaEventSink(options: KafkaEventSinkOptions): Promise<KafkaEventSink> {
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  if (options.producer === undefined && options.brokers.length === 0) {
    throw new RetourError('RETOUR_KAFKA_UNAVAILABLE', 'no Kafka brokers configured: set RETOUR_KAFKA_BROKERS=host:port (e.g. the last line of `npm run kafka:start`)');
  }
  const producer: BatchProducer =
    options.producer ??
    // No kafkajs log lines: a failed send throws and the command reports it, while kafkajs would log
    // as ERROR the broker's normal answer while it auto-creates a topic.
    new Kafka({ clientId: options.clientId, brokers: [...options.brokers], ...options.kafkaOptions, logLevel: logLevel.NOTHING }).producer({
      // The Java-compatible partitioner, chosen explicitly (also silences kafkajs' partitioner warning).
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
    });
  try {
    await producer.connect();
  } catch (error: unknown) {
    throw new RetourError('RETOUR_KAFKA_UNAVAILABLE', `could not connect to Kafka at ${options.brokers.join(',')}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
  const buffered = new Map<string, Message[]>();
  let bufferedBytes = 0;
  let count = 0;
  let sent = 0;
  let closed = false;

  async function flush(): Promise<void> {
    if (count === 0) return;
    const topicMessages = [...buffered].map(([topic, messages]) => ({ topic, messages }));
    buffered.clear();
    const size = count;
    count = 0;
    bufferedBytes = 0;
    try {
      await producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
    } catch (error: unknown) {
      throw new RetourError('RETOUR_KAFKA_UNAVAILABLE', `sending ${size} events to Kafka failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    sent += size;
  }

  return {
    get sent() {
      return sent;
    },
    async send(event) {
      if (closed) throw new Error('the Kafka event sink is closed');
      const topic = eventTopic(event, options);
      const key = eventKey(event);
      const value = JSON.stringify(event);
      const message: Message = key === undefined ? { value } : { key, value };
      bufferedBytes += value.length;
      const list = buffered.get(topic);
      if (list === undefined) buffered.set(topic, [message]);
      else list.push(message);
      count++;
      if (count >= batchSize || bufferedBytes >= maxBatchBytes) await flush();
    },
    flush,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await flush();
      } finally {
        await producer.disconnect();
      }
    },
  };
}
