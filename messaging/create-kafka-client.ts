import { Kafka, logLevel, type LogEntry, type RetryOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { registerCompressionCodecs } from './compression-codecs.ts';
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
  /**
   * While this says true, kafkajs' failed-connection lines (up to 20 a second while brokers are
   * down, each with a stack) are logged at debug instead of warn: the owner already knows of the
   * trouble and reports the outage itself, once. Default: never.
   */
  readonly quietConnectionErrors?: () => boolean;
}

/** kafkajs' lines about a connection that failed or was lost (kafkajs 2.2.4 network/connection.js, network/brokerPool.js). */
function isConnectionFailure(namespace: string, message: string): boolean {
  // The Connection namespace's other ERROR lines are a broker's error answers ("Response Fetch(…)").
  return (namespace === 'Connection' && message.startsWith('Connection')) || (namespace === 'BrokerPool' && message.startsWith('Failed to connect'));
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
  // Topics compressed with Snappy, LZ4 or ZStandard are read too (kafkajs knows only gzip).
  registerCompressionCodecs();
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
        const connectionFailure = level === logLevel.ERROR && isConnectionFailure(namespace, message);
        // Asked before the owner hears of this failure, so the first one of an outage stays a warning.
        const quiet = connectionFailure && options.quietConnectionErrors?.() === true;
        if (connectionFailure && namespace === 'Connection') options.onConnectionError?.(message);
        if (quiet) {
          logger.debug({ namespace, ...rest }, message);
          return;
        }
        // A broker creating a topic answers the first metadata request for it with this "error";
        // kafkajs logs it as ERROR although the caller waits and goes on (create-batch-consumer.ts).
        const topicBeingCreated = level === logLevel.ERROR && rest['error'] === 'This server does not host this topic-partition';
        logger[topicBeingCreated ? 'info' : (PINO_LEVEL[level] ?? 'info')]({ namespace, ...rest }, message);
      },
  });
}
