import { Kafka, logLevel, type LogEntry, type RetryOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaJsSecurityOptions, type KafkaSecurity } from './kafka-security.ts';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS and SASL (RETOUR_KAFKA_SECURITY_PROTOCOL …); none = plaintext. */
  readonly security?: KafkaSecurity | undefined;
  /** kafkajs logs go to this pino logger (child `component: "kafkajs"`), its warnings and errors as warn. */
  readonly logger: Logger;
  /** Connection retries; kafkajs defaults are kept for what is not given. */
  readonly retry?: RetryOptions;
  /** Milliseconds to establish a connection (default 3000). */
  readonly connectionTimeoutMs?: number;
  /** Milliseconds a request may take (default 30000). */
  readonly requestTimeoutMs?: number;
  /**
   * Told of every failed connection attempt or lost connection ("Connection error: connect
   * ECONNREFUSED host:port", "Connection timeout"): kafkajs reports these only in its log, seconds
   * before its retries run out and an instrumentation event says so.
   */
  readonly onConnectionError?: (message: string) => void;
}

// kafkajs' ERROR lines are mostly attempts it retries (a broker restart gave 21 of them, each
// with a stack): warnings. Retour logs the outcome itself, at error, when it gives up.
const PINO_LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose logs are structured pino lines instead of kafkajs' console output. */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const logger = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...kafkaJsSecurityOptions(options.security),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _name, ...rest } = log;
        // Connection-level failures are logged under this namespace with these prefixes (kafkajs
        // 2.2.4 network/connection.js); its other ERROR lines there are a broker's error answers.
        if (level === logLevel.ERROR && namespace === 'Connection' && message.startsWith('Connection')) options.onConnectionError?.(message);
        // A broker creating a topic answers the first metadata request for it with this "error";
        // kafkajs logs it as ERROR although the caller waits and goes on (create-batch-consumer.ts).
        const topicBeingCreated = level === logLevel.ERROR && rest['error'] === 'This server does not host this topic-partition';
        logger[topicBeingCreated ? 'info' : (PINO_LEVEL[level] ?? 'info')]({ namespace, ...rest }, message);
      },
  });
}
