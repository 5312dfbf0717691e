import type { OutgoingMessage } from '../messaging/producer/create-event-producer.ts';

/** Header names of a dead letter; docs/kafka-ingest.md documents the format. */
export const DEAD_LETTER_HEADERS = {
  code: 'retour.error.code',
  path: 'retour.error.path',
  reason: 'retour.error.reason',
  topic: 'retour.original.topic',
  partition: 'retour.original.partition',
  offset: 'retour.original.offset',
  eventId: 'retour.event.id',
  eventType: 'retour.event.type',
  originalSize: 'retour.original.size',
} as const;

/**
 * The most bytes of a dead letter's value: a longer message (an oversize one can be megabytes, if its
 * topic allows it) goes to the dead-letter topic cut to its first 256 KiB, with its size in a header.
 * Kafka refuses a record batch above the topic's `max.message.bytes` (1 MiB by default), and a
 * refused dead letter would stop ingest at every start: the batch is committed in DuckDB, so the
 * re-publication at the next start would meet the same refusal. The whole message stays in the
 * `quarantine` table and in its own topic (the origin headers say where).
 */
export const DEAD_LETTER_MAX_VALUE_BYTES = 256 * 1024;

/** The most bytes (values, keys and headers) of dead letters sent in one produce request. */
export const DEAD_LETTER_MAX_REQUEST_BYTES = 512 * 1024;

export interface DeadLetterSource {
  /** The message value exactly as consumed (null for a tombstone). */
  value: Uint8Array | string | null;
  code: string;
  path: string;
  reason: string;
  eventId?: string | undefined;
  eventType?: string | undefined;
  topic: string;
  partition: number;
  offset: number;
}

/**
 * The dead-letter message of a quarantined message: the original bytes as value (the first
 * DEAD_LETTER_MAX_VALUE_BYTES of a larger one), the error and where the message came from in
 * headers. Keyed by its origin (`topic/partition/offset`), so a dead letter published twice after a
 * crash lands on the same partition and is easy to dedupe.
 *
 * @example
 * toDeadLetterMessage({ value: 'not json', code: 'RETOUR_EVENT_NOT_JSON', path: '$', reason: '…',
 *   topic: 'marketplace.orders', partition: 2, offset: 41 });
 * // → { key: 'marketplace.orders/2/41', value: <Buffer 'not json'>, headers: { 'retour.error.code': … } }
 */
export function toDeadLetterMessage(source: DeadLetterSource): OutgoingMessage {
  const headers: Record<string, string> = {
    [DEAD_LETTER_HEADERS.code]: source.code,
    [DEAD_LETTER_HEADERS.path]: source.path,
    [DEAD_LETTER_HEADERS.reason]: source.reason,
    [DEAD_LETTER_HEADERS.topic]: source.topic,
    [DEAD_LETTER_HEADERS.partition]: String(source.partition),
    [DEAD_LETTER_HEADERS.offset]: String(source.offset),
  };
  if (source.eventId !== undefined) headers[DEAD_LETTER_HEADERS.eventId] = source.eventId;
  if (source.eventType !== undefined) headers[DEAD_LETTER_HEADERS.eventType] = source.eventType;
  let value =
    source.value === null ? null : typeof source.value === 'string' ? Buffer.from(source.value, 'utf8') : Buffer.from(source.value.buffer, source.value.byteOffset, source.value.byteLength);
  if (value !== null && value.byteLength > DEAD_LETTER_MAX_VALUE_BYTES) {
    headers[DEAD_LETTER_HEADERS.originalSize] = String(value.byteLength);
    value = value.subarray(0, DEAD_LETTER_MAX_VALUE_BYTES);
  }
  return { key: `${source.topic}/${source.partition}/${source.offset}`, value, headers };
}

/** Bytes a message adds to a produce request, near enough: value, key and headers. */
function messageBytes(message: OutgoingMessage): number {
  let bytes = (message.value === null ? 0 : Buffer.byteLength(message.value)) + Buffer.byteLength(message.key ?? '');
  for (const [name, value] of Object.entries(message.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/**
 * Dead letters split into produce requests of at most `maxMessages` messages and
 * DEAD_LETTER_MAX_REQUEST_BYTES bytes (one message alone may be larger, up to its cut value and
 * headers): kafkajs sends all messages of one partition in a request as one record batch, which the
 * broker refuses above `max.message.bytes` — 30 quarantined messages of 60 KiB on one partition would.
 *
 * @example
 * for (const request of deadLetterRequests(letters, 1000)) await producer.send(topic, request);
 */
export function deadLetterRequests(messages: readonly OutgoingMessage[], maxMessages: number): OutgoingMessage[][] {
  const requests: OutgoingMessage[][] = [];
  let request: OutgoingMessage[] = [];
  let requestBytes = 0;
  for (const message of messages) {
    const bytes = messageBytes(message);
    if (request.length > 0 && (request.length >= maxMessages || requestBytes + bytes > DEAD_LETTER_MAX_REQUEST_BYTES)) {
      requests.push(request);
      request = [];
      requestBytes = 0;
    }
    request.push(message);
    requestBytes += bytes;
  }
  if (request.length > 0) requests.push(request);
  return requests;
}
