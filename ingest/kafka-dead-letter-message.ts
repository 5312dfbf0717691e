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
} as const;

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
 * The dead-letter message of a quarantined message: the original bytes as value, the error and
 * where the message came from in headers. Keyed by its origin (`topic/partition/offset`), so a
 * dead letter published twice after a crash lands on the same partition and is easy to dedupe.
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
  const value =
    source.value === null ? null : typeof source.value === 'string' ? source.value : Buffer.from(source.value.buffer, source.value.byteOffset, source.value.byteLength);
  return { key: `${source.topic}/${source.partition}/${source.offset}`, value, headers };
}
