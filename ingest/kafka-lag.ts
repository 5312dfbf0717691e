import type { Logger } from 'pino';
import { createKafkaAdmin } from '../messaging/admin/create-kafka-admin.ts';
import type { KafkaSecurity } from '../messaging/kafka-security.ts';
import { topicPartitionKey, type TopicPartitionOffset } from '../messaging/topic-partition-offset.ts';

export interface OffsetWithLag extends TopicPartitionOffset {
  /** Offset the next message produced to the partition will get. */
  readonly highWatermark: number;
  /** Messages in Kafka not yet stored: high watermark − stored next offset. */
  readonly lag: number;
}

export interface KafkaLagReport {
  readonly offsets: readonly (TopicPartitionOffset | OffsetWithLag)[];
  /** Sum of the lags, plus every retained message of partitions never ingested; null when Kafka did not answer. */
  readonly lagTotal: number | null;
  readonly kafka: { readonly brokers: readonly string[]; readonly reachable: boolean; readonly error?: string };
}

export interface KafkaLagOptions {
  readonly brokers: readonly string[];
  /** TLS and SASL settings (kafkaSecurityFromConfig); none = plaintext. */
  readonly security?: KafkaSecurity | undefined;
  readonly clientId: string;
  readonly topics: readonly string[];
  readonly logger: Logger;
  /** Give up on Kafka after this long and report it unreachable (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Adds ingest lag to the offsets stored in DuckDB: per partition, Kafka's high watermark minus the
 * stored next offset. Never throws for Kafka: an unreachable cluster is reported as such, so
 * `retour status` still prints the database's view.
 *
 * @example
 * const report = await readKafkaLag(status.offsets, { brokers, clientId: 'retour', topics, logger });
 * // report.offsets[0] → { topic: 'marketplace.orders', partition: 0, nextOffset: 120, highWatermark: 125, lag: 5 }
 */
export async function readKafkaLag(stored: readonly TopicPartitionOffset[], options: KafkaLagOptions): Promise<KafkaLagReport> {
  const brokers = [...options.brokers];
  const topics = [...new Set([...options.topics, ...stored.map((offset) => offset.topic)])];
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  const quiet = options.logger.child({}, { level: 'fatal' });
  const work = (async () => {
    const admin = await createKafkaAdmin({ brokers, security: options.security, clientId: options.clientId, logger: quiet, retries: 1 });
    try {
      return await admin.watermarks(topics);
    } finally {
      await admin.close();
    }
  })();
  try {
    const watermarks = await Promise.race([work, timeout]);
    const byPartition = new Map(watermarks.map((entry) => [topicPartitionKey(entry.topic, entry.partition), entry]));
    const storedKeys = new Set(stored.map((offset) => topicPartitionKey(offset.topic, offset.partition)));
    let lagTotal = 0;
    const offsets = stored.map((offset): TopicPartitionOffset | OffsetWithLag => {
      const entry = byPartition.get(topicPartitionKey(offset.topic, offset.partition));
      if (entry === undefined) return offset;
      const lag = Math.max(0, entry.high - offset.nextOffset);
      lagTotal += lag;
      return { ...offset, highWatermark: entry.high, lag };
    });
    for (const entry of watermarks) {
      if (!storedKeys.has(topicPartitionKey(entry.topic, entry.partition)) && options.topics.includes(entry.topic)) lagTotal += entry.high - entry.low;
    }
    return { offsets, lagTotal, kafka: { brokers, reachable: true } };
  } catch (error: unknown) {
    work.catch(() => undefined);
    return { offsets: stored, lagTotal: null, kafka: { brokers, reachable: false, error: error instanceof Error ? error.message : String(error) } };
  } finally {
    clearTimeout(timer);
  }
}
