import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafkaClient } from '../create-kafka-client.ts';
import { kafkaUnavailableError } from '../kafka-unavailable-error.ts';
import type { KafkaSecurity } from '../kafka-security.ts';

export interface PartitionWatermarks {
  readonly topic: string;
  readonly partition: number;
  /** Earliest offset still in the log (retention may have removed what lies below). */
  readonly low: number;
  /** Offset the next produced message will get; a consumer at this offset has no lag. */
  readonly high: number;
}

export interface GroupOffset {
  readonly topic: string;
  readonly partition: number;
  /** Committed next offset of the group, or undefined when the group never committed one. */
  readonly committed: number | undefined;
}

export interface KafkaAdmin {
  /** Watermarks of every partition of the topics; topics that do not exist are left out. */
  watermarks(topics: readonly string[]): Promise<PartitionWatermarks[]>;
  /** The group's committed offsets for every partition of the topics that exist. */
  groupOffsets(groupId: string, topics: readonly string[]): Promise<GroupOffset[]>;
  /** Closing twice is harmless. */
  close(): Promise<void>;
}

export interface KafkaAdminOptions {
  readonly brokers: readonly string[];
  /** TLS and SASL settings (kafkaSecurityFromConfig); none = plaintext. */
  readonly security?: KafkaSecurity | undefined;
  readonly clientId: string;
  readonly logger: Logger;
  /** Connection attempts before giving up (default 5; `retour status` uses fewer to stay quick). */
  readonly retries?: number;
}

/**
 * Read-only Kafka metadata the ingest and `retour status` need: partition watermarks (for lag) and
 * a group's committed offsets (the dead-letter watermark, see docs/kafka-ingest.md).
 *
 * @example
 * const admin = await createKafkaAdmin({ brokers, clientId: 'retour', logger });
 * try { console.log(await admin.watermarks(['marketplace.orders'])); } finally { await admin.close(); }
 */
export async function createKafkaAdmin(options: KafkaAdminOptions): Promise<KafkaAdmin> {
  const kafka = createKafkaClient({
    brokers: options.brokers,
    security: options.security,
    clientId: options.clientId,
    logger: options.logger,
    retry: { retries: options.retries ?? 5 },
    requestTimeoutMs: 10_000,
  });
  const admin: Admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error: unknown) {
    throw kafkaUnavailableError('connect the admin client', options.brokers, error);
  }
  let closed = false;

  const existing = async (topics: readonly string[]): Promise<string[]> => {
    const known = new Set(await admin.listTopics());
    return topics.filter((topic) => known.has(topic));
  };

  return {
    async watermarks(topics) {
      try {
        const result: PartitionWatermarks[] = [];
        for (const topic of await existing(topics)) {
          for (const entry of await admin.fetchTopicOffsets(topic)) {
            result.push({ topic, partition: entry.partition, low: Number(entry.low), high: Number(entry.high) });
          }
        }
        return result;
      } catch (error: unknown) {
        throw kafkaUnavailableError(`read the offsets of ${topics.join(', ')}`, options.brokers, error);
      }
    },
    async groupOffsets(groupId, topics) {
      try {
        const present = await existing(topics);
        if (present.length === 0) return [];
        const perTopic = await admin.fetchOffsets({ groupId, topics: present });
        return perTopic.flatMap(({ topic, partitions }) =>
          partitions.map((entry) => {
            const committed = Number(entry.offset);
            // kafkajs reports "no committed offset" as -1.
            return { topic, partition: entry.partition, committed: committed >= 0 ? committed : undefined };
          }),
        );
      } catch (error: unknown) {
        throw kafkaUnavailableError(`read the offsets of group ${groupId}`, options.brokers, error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await admin.disconnect();
    },
  };
}
