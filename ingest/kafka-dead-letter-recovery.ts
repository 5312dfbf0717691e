import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from 'pino';
import type { KafkaAdmin } from '../messaging/admin/create-kafka-admin.ts';
import type { EventProducer } from '../messaging/producer/create-event-producer.ts';
import { topicPartitionKey, type TopicPartitionOffset } from '../messaging/topic-partition-offset.ts';
import { readQuarantinedMessages } from '../store/read-quarantined-messages.ts';
import { TOMBSTONE_REASON } from './decode-raw-message.ts';
import { deadLetterRequests, toDeadLetterMessage } from './kafka-dead-letter-message.ts';

export interface DeadLetterRecoveryOptions {
  connection: DuckDBConnection;
  admin: KafkaAdmin;
  producer: EventProducer;
  groupId: string;
  deadLetterTopic: string;
  /** The offsets stored in DuckDB for the topics ingest reads. */
  storedOffsets: readonly TopicPartitionOffset[];
  logger: Logger;
  /** Most dead letters per produce request (default 1000; fewer when they are large). */
  chunkSize?: number;
}

/**
 * Re-publishes the dead letters a crash may have lost. Ingest commits a partition's offset to the
 * Kafka group only after the dead letters below it were acknowledged, so the group's committed
 * offset is the dead-letter watermark: quarantined messages between it and the offset stored in
 * DuckDB may not have reached the dead-letter topic, and are sent (again). At-least-once: a crash
 * between publishing and committing repeats some, never loses one. Returns how many were sent.
 */
export async function republishDeadLetters(options: DeadLetterRecoveryOptions): Promise<number> {
  const topics = [...new Set(options.storedOffsets.map((offset) => offset.topic))];
  if (topics.length === 0) return 0;
  const committed = new Map(
    (await options.admin.groupOffsets(options.groupId, topics)).map((entry) => [topicPartitionKey(entry.topic, entry.partition), entry.committed]),
  );
  const chunkSize = options.chunkSize ?? 1000;
  let sent = 0;
  for (const stored of options.storedOffsets) {
    // Never committed (new group, or offsets expired): everything quarantined may be missing.
    const fromOffset = committed.get(topicPartitionKey(stored.topic, stored.partition)) ?? 0;
    if (fromOffset >= stored.nextOffset) continue;
    const records = await readQuarantinedMessages(options.connection, {
      topic: stored.topic,
      partition: stored.partition,
      fromOffset,
      toOffset: stored.nextOffset,
    });
    const letters = records.map((record) =>
      toDeadLetterMessage({
        // `quarantine.raw` holds a tombstone as no bytes; its dead letter is a tombstone again, as at first.
        value: record.raw.byteLength === 0 && record.errorCode === 'RETOUR_EVENT_NOT_JSON' && record.message === TOMBSTONE_REASON ? null : record.raw,
        code: record.errorCode,
        path: record.jsonPath,
        reason: record.message,
        eventId: record.eventId,
        eventType: record.eventType,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
      }),
    );
    for (const request of deadLetterRequests(letters, chunkSize)) {
      await options.producer.send(options.deadLetterTopic, request);
      sent += request.length;
    }
    if (records.length > 0) {
      options.logger.info(
        { topic: stored.topic, partition: stored.partition, fromOffset, toOffset: stored.nextOffset, deadLetters: records.length },
        're-published dead letters the group had not committed (at-least-once after a restart)',
      );
    }
  }
  return sent;
}
