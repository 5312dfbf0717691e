import { describe, expect, it } from 'vitest';
import { decodeEvent, pointerToJsonPath } from '../../../domain/events/decode-event.ts';
import { isRfc3339DateTime } from '../../../domain/events/date-time-format.ts';

const returnRequested = {
  specversion: '1.0',
  id: 'evt_1',
  source: 'returns-service',
  type: 'return.requested',
  time: '2026-11-20T10:15:00Z',
  data: {
    returnId: 'ret_1',
    orderId: 'ord_1',
    customerId: 'cus_1',
    requestedAt: '2026-11-20T10:15:00Z',
    method: 'mail',
    resolution: 'refund',
    lines: [{ lineId: 'l1', productId: 'p1', quantity: 1, reason: 'quality.defective' }],
  },
};

function withData(patch: Record<string, unknown>): string {
  return JSON.stringify({ ...returnRequested, data: { ...returnRequested.data, ...patch } });
}

function rejectionOf(raw: string | Uint8Array, maxBytes?: number) {
  const result = decodeEvent(raw, maxBytes === undefined ? {} : { maxBytes });
  if (result.ok) throw new Error('expected a rejection');
  return result.rejection;
}

describe('decodeEvent', () => {
  it('accepts a valid event and keeps its content', () => {
    const result = decodeEvent(JSON.stringify(returnRequested));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event.data).toEqual(returnRequested.data);
  });

  it('rejects oversize messages before parsing them', () => {
    const rejection = rejectionOf(JSON.stringify(returnRequested), 100);
    expect(rejection.code).toBe('RETOUR_EVENT_OVERSIZE');
    expect(rejection.message).toMatch(/above the limit of 100 bytes/);
  });

  it('rejects text that is not JSON, and JSON that is not an object', () => {
    expect(rejectionOf('{"specversion": ').code).toBe('RETOUR_EVENT_NOT_JSON');
    expect(rejectionOf('[1,2]').code).toBe('RETOUR_EVENT_NOT_JSON');
    expect(rejectionOf(new Uint8Array([0xff, 0xfe, 0x7b])).code).toBe('RETOUR_EVENT_NOT_JSON');
  });

  it('rejects a broken envelope and names the attribute', () => {
    const rejection = rejectionOf(JSON.stringify({ ...returnRequested, specversion: '0.3' }));
    expect(rejection.code).toBe('RETOUR_EVENT_ENVELOPE_INVALID');
    expect(rejection.path).toBe('$.specversion');
    expect(rejection.eventId).toBe('evt_1');
  });

  it('rejects a time without zone', () => {
    const rejection = rejectionOf(JSON.stringify({ ...returnRequested, time: '2026-11-20T10:15:00' }));
    expect(rejection.path).toBe('$.time');
  });

  it('rejects an unknown type and lists the known ones', () => {
    const rejection = rejectionOf(JSON.stringify({ ...returnRequested, type: 'return.teleported' }));
    expect(rejection.code).toBe('RETOUR_EVENT_UNKNOWN_TYPE');
    expect(rejection.message).toMatch(/"return.teleported" is not a v1 event type/);
    expect(rejection.eventType).toBe('return.teleported');
  });

  it('rejects a negative quantity with the JSON path, the rule and the value', () => {
    const rejection = rejectionOf(withData({ lines: [{ lineId: 'l1', productId: 'p1', quantity: -2, reason: 'other' }] }));
    expect(rejection.code).toBe('RETOUR_EVENT_SCHEMA_INVALID');
    expect(rejection.path).toBe('$.data.lines[0].quantity');
    expect(rejection.message).toBe('$.data.lines[0].quantity: Expected integer to be greater or equal to 1 (got -2)');
  });

  it('rejects a reason outside the closed vocabulary and says which are allowed', () => {
    const rejection = rejectionOf(withData({ lines: [{ lineId: 'l1', productId: 'p1', quantity: 1, reason: 'bored' }] }));
    expect(rejection.path).toBe('$.data.lines[0].reason');
    expect(rejection.message).toMatch(/must be one of fit\.too_small, .*quality\.defective.* \(got "bored"\)/);
  });

  it('rejects missing and unknown data fields', () => {
    const missing = rejectionOf(JSON.stringify({ ...returnRequested, data: { ...returnRequested.data, customerId: undefined } }));
    expect(missing.path).toBe('$.data.customerId');
    const unknown = rejectionOf(withData({ creditCard: '4111' }));
    expect(unknown.path).toBe('$.data.creditCard');
  });

  it('treats an optional attribute set to null as absent (CloudEvents JSON format § 2.2), but not a required one', () => {
    const result = decodeEvent(JSON.stringify({ ...returnRequested, subject: null, dataschema: null, datacontenttype: null, traceparent: null }));
    expect(result.ok).toBe(true);
    if (result.ok) expect(Object.keys(result.event)).toEqual(['specversion', 'id', 'source', 'type', 'time', 'data']);
    expect(rejectionOf(JSON.stringify({ ...returnRequested, source: null }))).toMatchObject({ code: 'RETOUR_EVENT_ENVELOPE_INVALID', path: '$.source' });
  });

  it('accepts application/json with parameters, and rejects other content types', () => {
    expect(decodeEvent(JSON.stringify({ ...returnRequested, datacontenttype: 'application/json; charset=utf-8' })).ok).toBe(true);
    expect(rejectionOf(JSON.stringify({ ...returnRequested, datacontenttype: 'text/plain' }))).toMatchObject({ code: 'RETOUR_EVENT_ENVELOPE_INVALID', path: '$.datacontenttype' });
  });

  it('takes every media type CloudEvents calls JSON (*/json, */*+json), in any case, and says the rule for others', () => {
    const withType = (datacontenttype: string) => JSON.stringify({ ...returnRequested, datacontenttype });
    for (const type of ['Application/JSON', 'APPLICATION/JSON;CHARSET=UTF-8', 'application/json ; charset=utf-8', 'text/json', 'application/vnd.retour.return+json', 'application/cloudevents+json']) {
      expect(decodeEvent(withType(type)).ok, type).toBe(true);
    }
    for (const type of ['text/plain', 'application/jsonx', 'application/json-seq', 'application/x-ndjson', 'application/+json', 'json', ' application/json']) {
      expect(rejectionOf(withType(type)), type).toMatchObject({
        code: 'RETOUR_EVENT_ENVELOPE_INVALID',
        path: '$.datacontenttype',
        message: `$.datacontenttype: must be a JSON media type: application/json, or any */json or */*+json, parameters allowed (CloudEvents JSON format § 3.1) (got ${JSON.stringify(type)})`,
      });
    }
  });

  it('says why a timestamp is refused: no zone, a leap second, a day the month does not have', () => {
    const placedAt = (time: string) => rejectionOf(JSON.stringify({ ...returnRequested, data: { ...returnRequested.data, requestedAt: time } }));
    const rule = 'must be an RFC 3339 date-time with a zone (Z or ±hh:mm), e.g. 2026-11-20T10:15:00Z';
    expect(placedAt('2026-11-20T10:15:00')).toMatchObject({ code: 'RETOUR_EVENT_SCHEMA_INVALID', path: '$.data.requestedAt', message: `$.data.requestedAt: ${rule}; this one has no zone (got "2026-11-20T10:15:00")` });
    expect(placedAt('2016-12-31T23:59:60Z').message).toBe(`$.data.requestedAt: ${rule}; a leap second (:60) cannot be stored (got "2016-12-31T23:59:60Z")`);
    expect(placedAt('2026-02-31T10:00:00+01:00').message).toBe(`$.data.requestedAt: ${rule}, on a day the month has (got "2026-02-31T10:00:00+01:00")`);
    expect(placedAt('20 Nov 2026').message).toBe(`$.data.requestedAt: ${rule} (got "20 Nov 2026")`);
    expect(rejectionOf(JSON.stringify({ ...returnRequested, time: '2016-12-31T23:59:60Z' }))).toMatchObject({ code: 'RETOUR_EVENT_ENVELOPE_INVALID', path: '$.time' });
  });

  it('rejects a data schema other than retour/v1 instead of reading it as v1', () => {
    expect(decodeEvent(JSON.stringify({ ...returnRequested, dataschema: 'retour/v1' })).ok).toBe(true);
    expect(rejectionOf(JSON.stringify({ ...returnRequested, dataschema: 'retour/v2' }))).toMatchObject({
      code: 'RETOUR_EVENT_ENVELOPE_INVALID',
      path: '$.dataschema',
      message: expect.stringContaining('(got "retour/v2")'),
    });
  });

  it('accepts scalar extension attributes and rejects structured ones (CloudEvents 1.0 type system)', () => {
    expect(decodeEvent(JSON.stringify({ ...returnRequested, traceparent: '00-4bf9-01', partitionkey: 'cus_1', sampled: true, priority: 3 })).ok).toBe(true);
    expect(rejectionOf(JSON.stringify({ ...returnRequested, ext: { nested: 1 } }))).toEqual({
      code: 'RETOUR_EVENT_ENVELOPE_INVALID',
      path: '$.ext',
      message: '$.ext: an extension attribute must be a string, number or boolean (CloudEvents 1.0 type system) (got {"nested":1})',
      eventId: 'evt_1',
      eventType: 'return.requested',
    });
  });

  it('rejects an extension attribute whose name is not lower-case ASCII letters and digits (CloudEvents 1.0 naming)', () => {
    // Stored until session 13; the length limit (20) is only a SHOULD and stays tolerated.
    expect(decodeEvent(JSON.stringify({ ...returnRequested, comexampleextension1: 'x', traceparent2: 1 })).ok).toBe(true);
    expect(rejectionOf(JSON.stringify({ ...returnRequested, 'Trace-Id': 'x' }))).toEqual({
      code: 'RETOUR_EVENT_ENVELOPE_INVALID',
      path: '$["Trace-Id"]',
      message: '$["Trace-Id"]: an extension attribute name must be lower-case ASCII letters and digits only, e.g. "traceid" (CloudEvents 1.0 § Attribute Naming Convention; got "Trace-Id")',
      eventId: 'evt_1',
      eventType: 'return.requested',
    });
    expect(rejectionOf(JSON.stringify({ ...returnRequested, my_ext: 1 }))).toMatchObject({ code: 'RETOUR_EVENT_ENVELOPE_INVALID', path: '$.my_ext' });
    expect(rejectionOf(JSON.stringify({ ...returnRequested, Traceparent: 'x' })).path).toBe('$.Traceparent');
    // No suggestion that is itself an attribute of the envelope, or empty.
    expect(rejectionOf(JSON.stringify({ ...returnRequested, Subject: 'x' })).message).toContain('digits only (CloudEvents');
    expect(rejectionOf(JSON.stringify({ ...returnRequested, 'é': 'x' })).message).toContain('digits only (CloudEvents');
  });

  it('rejects a timestamp outside 1990-01-01 … 2100-01-01 as an impossible value, in the envelope and in data', () => {
    const rule = 'must be an instant from 1990-01-01T00:00:00Z to before 2100-01-01T00:00:00Z';
    const withTime = (time: string) => JSON.stringify({ ...returnRequested, time });
    expect(rejectionOf(withTime('0001-01-01T00:00:00Z'))).toEqual({
      code: 'RETOUR_EVENT_IMPOSSIBLE_VALUE',
      path: '$.time',
      message: `$.time: ${rule} (got "0001-01-01T00:00:00Z")`,
      eventId: 'evt_1',
      eventType: 'return.requested',
    });
    // An instant of year 10000, written in year 9999 with an offset.
    expect(rejectionOf(withTime('9999-12-31T23:00:00-02:00')).path).toBe('$.time');
    expect(rejectionOf(withData({ requestedAt: '1970-01-01T00:00:00Z' }))).toMatchObject({ code: 'RETOUR_EVENT_IMPOSSIBLE_VALUE', path: '$.data.requestedAt', message: `$.data.requestedAt: ${rule} (got "1970-01-01T00:00:00Z")` });
    // The bounds are instants: an offset moves a timestamp across them.
    expect(decodeEvent(withTime('1990-01-01T00:00:00Z')).ok).toBe(true);
    expect(rejectionOf(withTime('1990-01-01T00:30:00+01:00')).path).toBe('$.time');
    expect(decodeEvent(withTime('1989-12-31T23:30:00-01:00')).ok).toBe(true);
    expect(decodeEvent(withTime('2099-12-31T23:59:59.999Z')).ok).toBe(true);
    expect(rejectionOf(withTime('2099-12-31T23:30:00-01:00')).path).toBe('$.time');
    expect(rejectionOf(withTime('2100-01-01T00:00:00Z')).path).toBe('$.time');
    expect(decodeEvent(withTime('2100-01-01T00:30:00+01:00')).ok).toBe(true);
    // Every type's timestamp field is checked, not only return.requested's.
    const delivered = { ...returnRequested, type: 'order.delivered', data: { orderId: 'o', customerId: 'c', deliveredAt: '1899-12-30T00:00:00Z' } };
    expect(rejectionOf(JSON.stringify(delivered)).path).toBe('$.data.deliveredAt');
  });

  it('says a number is too large instead of "got null" when JSON.parse made it Infinity', () => {
    const text = withData({}).replace('"quantity":1', '"quantity":1e400');
    expect(rejectionOf(text)).toMatchObject({ code: 'RETOUR_EVENT_SCHEMA_INVALID', path: '$.data.lines[0].quantity', message: expect.stringContaining('(got a number too large to represent)') });
  });

  it('rejects JSON nested thousands of levels deep with a message, without overflowing the stack', () => {
    const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(rejectionOf(deep(8000))).toMatchObject({ code: 'RETOUR_EVENT_NOT_JSON', message: '$: message must be a JSON object (got an array nested too deeply to show)' });
    expect(rejectionOf(`{"specversion":"1.0","id":"e","source":"s","time":"2026-11-20T10:15:00Z","data":{},"type":${deep(20000)}}`)).toMatchObject({ code: 'RETOUR_EVENT_ENVELOPE_INVALID', path: '$.type' });
    const withDeepExtension = JSON.stringify(returnRequested).replace(/}$/, `,"ext":${deep(6000)}}`);
    expect(rejectionOf(withDeepExtension)).toMatchObject({ code: 'RETOUR_EVENT_ENVELOPE_INVALID', path: '$.ext' });
    const withDeepData = JSON.stringify({ ...returnRequested, data: null }).replace('"data":null', `"data":{"returnId":${deep(20000)}}`);
    expect(rejectionOf(withDeepData)).toMatchObject({ code: 'RETOUR_EVENT_SCHEMA_INVALID' });
  });

  it('rejects a currency that is not an ISO 4217 code in circulation, in orders and refunds, and says the upper-case spelling', () => {
    const order = (currency: unknown) =>
      JSON.stringify({
        ...returnRequested,
        type: 'order.placed',
        data: { orderId: 'o1', customerId: 'cus_1', placedAt: '2026-11-20T10:15:00Z', currency, lines: [{ lineId: 'l1', productId: 'p1', category: 'x', quantity: 1, unitPrice: 100 }] },
      });
    const refund = (currency: unknown) =>
      JSON.stringify({
        ...returnRequested,
        type: 'refund.issued',
        data: { refundId: 'f1', orderId: 'o1', customerId: 'cus_1', issuedAt: '2026-11-20T10:15:00Z', amount: 100, currency, method: 'original_payment' },
      });
    for (const currency of ['EUR', 'JPY', 'KWD', 'VED', 'XCG', 'XOF', 'HRK']) expect(decodeEvent(order(currency)).ok, currency).toBe(true);
    // Well-formed but no money: unassigned, ISO's testing code, gold, a fund code, a unit of account.
    for (const currency of ['XYZ', 'XTS', 'XAU', 'CLF', 'XDR']) {
      expect(rejectionOf(order(currency)), currency).toEqual({
        code: 'RETOUR_EVENT_SCHEMA_INVALID',
        path: '$.data.currency',
        message: `$.data.currency: must be the ISO 4217 code of a currency in circulation, see docs/events.md § Currencies (got "${currency}")`,
        eventId: 'evt_1',
        eventType: 'order.placed',
      });
    }
    expect(rejectionOf(refund('XYZ'))).toMatchObject({ code: 'RETOUR_EVENT_SCHEMA_INVALID', path: '$.data.currency', eventType: 'refund.issued' });
    expect(rejectionOf(order('eur')).message).toBe('$.data.currency: must be the ISO 4217 code of a currency in circulation, in upper case: "EUR" (got "eur")');
    expect(rejectionOf(refund('Jpy')).message).toBe('$.data.currency: must be the ISO 4217 code of a currency in circulation, in upper case: "JPY" (got "Jpy")');
    expect(rejectionOf(order('EURO')).message).toMatch(/see docs\/events.md § Currencies \(got "EURO"\)$/);
    expect(rejectionOf(order(978)).message).toMatch(/\(got 978\)$/);
  });

  it('rejects duplicate line ids as an impossible value', () => {
    const line = { lineId: 'l1', productId: 'p1', quantity: 1, reason: 'other' };
    const rejection = rejectionOf(withData({ lines: [line, line] }));
    expect(rejection.code).toBe('RETOUR_EVENT_IMPOSSIBLE_VALUE');
    expect(rejection.path).toBe('$.data.lines[1].lineId');
  });
});

describe('isRfc3339DateTime', () => {
  it.each([
    ['2026-11-20T10:15:00Z', true],
    ['2026-11-20T10:15:00.123+01:00', true],
    ['2026-11-20T10:15:00', false],
    ['2026-02-31T10:00:00Z', false],
    ['2026-13-01T10:00:00Z', false],
    ['not a date', false],
  ])('%s → %s', (value, expected) => {
    expect(isRfc3339DateTime(value)).toBe(expected);
  });
});

describe('pointerToJsonPath', () => {
  it('turns JSON pointers into readable paths', () => {
    expect(pointerToJsonPath('')).toBe('$');
    expect(pointerToJsonPath('/data/lines/0/quantity')).toBe('$.data.lines[0].quantity');
    expect(pointerToJsonPath('/data/a~1b')).toBe('$.data["a/b"]');
  });
});
