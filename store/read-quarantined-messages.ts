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

/** One quarantined message as listed for people: the raw bytes as text, cut to a preview. */
export interface QuarantineListing {
  quarantineId: number;
  quarantinedAt: string;
  errorCode: string;
  /** Where in the event the problem is (JSON path; empty when the whole message is at fault). */
  jsonPath: string;
  message: string;
  eventId: string | null;
  eventType: string | null;
  topic: string;
  partition: number;
  offset: number;
  /** The message as UTF-8 text (invalid bytes as U+FFFD), at most `previewBytes` bytes of it. */
  raw: string;
  rawBytes: number;
  rawTruncated: boolean;
}

export interface QuarantineQuery {
  limit: number;
  /** Only rows with a smaller quarantine id (the cursor of the previous page). */
  before?: number;
  errorCode?: string;
  topic?: string;
  eventType?: string;
  /** Only rows quarantined at or after this time (RFC 3339). */
  since?: string;
  /** Bytes of each raw message to return (the full message when undefined). */
  previewBytes?: number;
}

/**
 * One page of the quarantine, newest first, with filters — what operators read to see why messages
 * were refused (`GET /v1/quarantine`, `retour quarantine list`).
 * @example
 * const { entries, hasMore } = await readQuarantinePage(connection, { limit: 50, errorCode: 'RETOUR_EVENT_SCHEMA_INVALID', previewBytes: 4096 });
 */
export async function readQuarantinePage(connection: DuckDBConnection, query: QuarantineQuery): Promise<{ entries: QuarantineListing[]; hasMore: boolean }> {
  const reader = await connection.runAndReadAll(
    `SELECT quarantine_id, epoch_ms(quarantined_at), error_code, json_path, message, event_id, event_type, topic, kafka_partition, kafka_offset,
            octet_length(raw), CASE WHEN $previewBytes IS NULL THEN raw ELSE raw[1:$previewBytes] END
     FROM quarantine
     WHERE ($before IS NULL OR quarantine_id < $before)
       AND ($errorCode IS NULL OR error_code = $errorCode)
       AND ($topic IS NULL OR topic = $topic)
       AND ($eventType IS NULL OR event_type = $eventType)
       AND ($since IS NULL OR quarantined_at >= $since::TIMESTAMPTZ)
     ORDER BY quarantine_id DESC
     LIMIT $limit`,
    {
      before: query.before ?? null,
      errorCode: query.errorCode ?? null,
      topic: query.topic ?? null,
      eventType: query.eventType ?? null,
      since: query.since ?? null,
      previewBytes: query.previewBytes ?? null,
      // One more than asked: whether another page exists.
      limit: query.limit + 1,
    },
  );
  const decoder = new TextDecoder('utf-8');
  const rows = reader.getRows();
  const entries = rows.slice(0, query.limit).map(([quarantineId, quarantinedMs, errorCode, jsonPath, message, eventId, eventType, topic, partition, offset, rawBytes, raw]) => {
    const bytes = raw instanceof DuckDBBlobValue ? raw.bytes : new Uint8Array(0);
    return {
      quarantineId: Number(quarantineId),
      quarantinedAt: new Date(Number(quarantinedMs)).toISOString(),
      errorCode: String(errorCode),
      jsonPath: String(jsonPath),
      message: String(message),
      eventId: eventId === null ? null : String(eventId),
      eventType: eventType === null ? null : String(eventType),
      topic: String(topic),
      partition: Number(partition),
      offset: Number(offset),
      // A preview may end inside a multi-byte character; the decoder marks it with U+FFFD.
      raw: decoder.decode(bytes),
      rawBytes: Number(rawBytes),
      rawTruncated: bytes.length < Number(rawBytes),
    };
  });
  return { entries, hasMore: rows.length > query.limit };
}
