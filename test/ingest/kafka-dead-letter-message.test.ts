import { describe, expect, it } from 'vitest';
import { toDeadLetterMessage } from '../../ingest/kafka-dead-letter-message.ts';

describe('toDeadLetterMessage', () => {
  it('keeps the original bytes and puts the error and the origin in headers', () => {
    const raw = new Uint8Array([0x7b, 0xff, 0x7d]);
    const message = toDeadLetterMessage({
      value: raw,
      code: 'RETOUR_EVENT_NOT_JSON',
      path: '$',
      reason: '$: message is not valid UTF-8 JSON',
      topic: 'marketplace.orders',
      partition: 2,
      offset: 41,
    });
    expect(message.key).toBe('marketplace.orders/2/41');
    expect(Buffer.isBuffer(message.value)).toBe(true);
    expect([...(message.value as Buffer)]).toEqual([0x7b, 0xff, 0x7d]);
    expect(message.headers).toEqual({
      'retour.error.code': 'RETOUR_EVENT_NOT_JSON',
      'retour.error.path': '$',
      'retour.error.reason': '$: message is not valid UTF-8 JSON',
      'retour.original.topic': 'marketplace.orders',
      'retour.original.partition': '2',
      'retour.original.offset': '41',
    });
  });

  it('adds the event id and type when the message had them, and keeps a tombstone null', () => {
    const message = toDeadLetterMessage({
      value: null,
      code: 'RETOUR_EVENT_ID_CONFLICT',
      path: '$.id',
      reason: 'conflict',
      eventId: 'evt_1',
      eventType: 'order.placed',
      topic: 't',
      partition: 0,
      offset: 0,
    });
    expect(message.value).toBeNull();
    expect(message.headers).toMatchObject({ 'retour.event.id': 'evt_1', 'retour.event.type': 'order.placed' });
  });
});
