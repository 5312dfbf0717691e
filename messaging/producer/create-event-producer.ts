import { CompressionTypes, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { createKafkaClient } from '../create-kafka-client.ts';
import type { KafkaSecurity } from '../kafka-security.ts';
import { kafkaUnavailableError } from '../kafka-unavailable-error.ts';

export interface OutgoingMessage {
  /** Partitioning key (Java-compatible murmur2, like every other Kafka client); none = spread. */
  readonly key?: string;
  readonly value: string | Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface EventProducer {
  /**
   * Sends the messages and resolves once every one is acknowledged by all in-sync replicas.
   * Rejects with RETOUR_KAFKA_UNAVAILABLE when Kafka cannot take them within the retries. At least
   * once: a retried send may write a message twice, so every message Retour publishes carries an
   * id (event id, or the origin of a dead letter) its readers dedupe on.
   */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /** Flushes nothing (sends are awaited) and disconnects; closing twice is harmless. */
  close(): Promise<void>;
}

export interface EventProducerOptions {
  readonly brokers: readonly string[];
  /** TLS and SASL settings (kafkaSecurityFromConfig); none = plaintext. */
  readonly security?: KafkaSecurity | undefined;
  readonly clientId: string;
  readonly logger: Logger;
  /** Compression of produced batches (default none: the local broker and tests favour CPU). */
  readonly compression?: 'none' | 'gzip';
  /** Retries of a failing send before it rejects (default 5, ≈ 10 s with kafkajs' backoff). */
  readonly retries?: number;
}

/**
 * The one way Retour publishes to Kafka (dead letters, review decisions, risk flags). Connects on
 * the first send, so creating a producer never blocks start-up.
 *
 * @example
 * const producer = createEventProducer({ brokers: config.kafkaBrokers, clientId: 'retour', logger });
 * await producer.send('retour.decisions', [{ key: 'cus_1', value: JSON.stringify(event) }]);
 * await producer.close();
 */
export function createEventProducer(options: EventProducerOptions): EventProducer {
  if (options.brokers.length === 0) throw new TypeError('createEventProducer needs at least one broker; got none');
  const kafka = createKafkaClient({
    brokers: options.brokers,
    security: options.security,
    clientId: options.clientId,
    logger: options.logger,
    retry: { retries: options.retries ?? 5, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  // Not idempotent: kafkajs then retries forever, and a send must fail (and the process exit
  // non-zero) rather than hang while Kafka is gone.
  const producer: Producer = kafka.producer({
    idempotent: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let connecting: Promise<void> | undefined;
  let closed = false;
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;

  const connect = (): Promise<void> => {
    connecting ??= producer.connect().catch((error: unknown) => {
      connecting = undefined;
      throw kafkaUnavailableError('connect the producer', options.brokers, error);
    });
    return connecting;
  };

  return {
    async send(topic, messages) {
      if (closed) throw new RetourError('RETOUR_KAFKA_UNAVAILABLE', `cannot send to ${topic}: the producer is closed`);
      if (messages.length === 0) return;
      await connect();
      try {
        await producer.send({
          topic,
          acks: -1,
          compression,
          messages: messages.map((message) => ({
            key: message.key ?? null,
            value: message.value,
            ...(message.headers === undefined ? {} : { headers: { ...message.headers } }),
          })),
        });
      } catch (error: unknown) {
        throw kafkaUnavailableError(`send ${messages.length} message(s) to ${topic}`, options.brokers, error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (connecting === undefined) return;
      await connecting.catch(() => undefined);
      await producer.disconnect();
    },
  };
}
