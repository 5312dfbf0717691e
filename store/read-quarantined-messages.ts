import { DuckDBBlobValue, type DuckDBConnection } from '@duckdb/node-api';
import type { QuarantineRow } from './event-batch-store.ts';

/** A quarantine row as written by ingest, with the time it was quarantined. */
export interface QuarantinedRecord extends QuarantineRow {
  quarantinedAt: Date;
}

export interface QuarantinedRange {
  topic: string;
  partition: number;
  /** First offset included. */
  fromOffset: number;
  /** First offset excluded. */
  toOffset: number;
}

const SELECT_RANGE = `
  SELECT raw, error_code, json_path, message, event_id, event_type, topic, kafka_partition, kafka_offset,
         epoch_ms(quarantined_at) AS quarantined_ms
  FROM quarantine
  WHERE topic = $topic AND kafka_partition = $partition AND kafka_offset >= $fromOffset AND kafka_offset < $toOffset
  ORDER BY kafka_offset`;

/**
 * The quarantined messages of one partition within an offset range, in offset order — what the
 * Kafka ingest re-publishes to the dead-letter topic after a crash (docs/kafka-ingest.md).
 */
export async function readQuarantinedMessages(connection: DuckDBConnection, range: QuarantinedRange): Promise<QuarantinedRecord[]> {
  const reader = await connection.runAndReadAll(SELECT_RANGE, {
    topic: range.topic,
    partition: range.partition,
    fromOffset: range.fromOffset,
    toOffset: range.toOffset,
  });
  return reader.getRows().map(([raw, errorCode, jsonPath, message, eventId, eventType, topic, partition, offset, quarantinedMs]) => ({
    raw: raw instanceof DuckDBBlobValue ? raw.bytes : new Uint8Array(0),
    errorCode: String(errorCode),
    jsonPath: String(jsonPath),
    message: String(message),
    eventId: eventId === null ? undefined : String(eventId),
    eventType: eventType === null ? undefined : String(eventType),
    topic: String(topic),
    partition: Number(partition),
    offset: Number(offset),
    quarantinedAt: new Date(Number(quarantinedMs)),
  }));
}
