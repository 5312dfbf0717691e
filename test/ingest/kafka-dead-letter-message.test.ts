import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_MAX_REQUEST_BYTES, DEAD_LETTER_MAX_VALUE_BYTES, deadLetterRequests, toDeadLetterMessage } from '../../ingest/kafka-dead-letter-message.ts';

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

  it('cuts a value above 256 KiB to its first 256 KiB and says the original size in a header', () => {
    const origin = { code: 'RETOUR_EVENT_OVERSIZE', path: '$', reason: 'too big', topic: 't', partition: 0, offset: 7 };
    const large = new Uint8Array(2 * 1024 * 1024).fill(0x61);
    const cut = toDeadLetterMessage({ ...origin, value: large });
    expect((cut.value as Buffer).byteLength).toBe(DEAD_LETTER_MAX_VALUE_BYTES);
    expect(cut.headers).toMatchObject({ 'retour.original.size': String(2 * 1024 * 1024), 'retour.error.code': 'RETOUR_EVENT_OVERSIZE' });
    const text = toDeadLetterMessage({ ...origin, value: 'é'.repeat(DEAD_LETTER_MAX_VALUE_BYTES) });
    expect(text.headers).toMatchObject({ 'retour.original.size': String(2 * DEAD_LETTER_MAX_VALUE_BYTES) });
    const atLimit = toDeadLetterMessage({ ...origin, value: large.subarray(0, DEAD_LETTER_MAX_VALUE_BYTES) });
    expect((atLimit.value as Buffer).byteLength).toBe(DEAD_LETTER_MAX_VALUE_BYTES);
    expect(atLimit.headers).not.toHaveProperty('retour.original.size');
  });
});

describe('deadLetterRequests', () => {
  const letter = (bytes: number, offset: number) =>
    toDeadLetterMessage({ value: new Uint8Array(bytes), code: 'RETOUR_EVENT_SCHEMA_INVALID', path: '$', reason: 'r', topic: 't', partition: 0, offset });

  it('splits dead letters so that no request carries more than 512 KiB, or more than the given count', () => {
    const letters = Array.from({ length: 30 }, (_, index) => letter(60 * 1024, index));
    const requests = deadLetterRequests(letters, 1000);
    expect(requests.flat()).toEqual(letters);
    expect(requests.length).toBeGreaterThan(1);
    const bytes = (request: typeof letters) => request.reduce((sum, message) => sum + (message.value as Buffer).byteLength, 0);
    for (const request of requests) expect(bytes(request)).toBeLessThanOrEqual(DEAD_LETTER_MAX_REQUEST_BYTES);
    expect(deadLetterRequests(letters.map((_, index) => letter(10, index)), 7).map((request) => request.length)).toEqual([7, 7, 7, 7, 2]);
  });

  it('sends a letter larger than a request on its own, and nothing for none', () => {
    const letters = [letter(10, 0), { key: 't/0/1', value: Buffer.alloc(DEAD_LETTER_MAX_REQUEST_BYTES + 1) }, letter(10, 2)];
    expect(deadLetterRequests(letters, 1000).map((request) => request.map((message) => message.key))).toEqual([['t/0/0'], ['t/0/1'], ['t/0/2']]);
    expect(deadLetterRequests([], 1000)).toEqual([]);
  });
});
