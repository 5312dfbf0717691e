import { describe, expect, it } from 'vitest';
import { decodeRawMessage, payloadText } from '../../ingest/decode-raw-message.ts';
import { orderPlaced, refundIssued, returnRequested } from './contract-event-builders.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const LIMIT = 65_536;

function decoded(value: Uint8Array | string) {
  const result = decodeRawMessage(value, LIMIT);
  if (!result.ok) throw new Error(`expected a valid event, got ${result.rejection.code} at ${result.rejection.path}`);
  return result;
}

describe('decodeRawMessage', () => {
  it('keeps the message itself for DuckDB when it reads the same, without a canonical copy', () => {
    const compact = JSON.stringify(orderPlaced('e1', 'o1'));
    const message = bytes(compact);
    const result = decoded(message);
    expect(result).toMatchObject({ id: 'e1', type: 'order.placed', canonical: null });
    // The very bytes received (no decoded string retained), or the very string given.
    expect(result.payload).toBe(message);
    expect(decoded(compact).payload).toBe(compact);
    const pretty = JSON.stringify(orderPlaced('e2', 'o2'), null, 2);
    // Pretty-printed text (a quote before a line break) takes the careful path: its canonical form is the compact one.
    expect(decoded(pretty).canonical).toBe(JSON.stringify(orderPlaced('e2', 'o2')));
  });

  it('hands DuckDB the canonical JSON when a key is repeated, whatever the spacing around the colon', () => {
    const text = JSON.stringify(orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }]));
    for (const repeated of ['"quantity":"x","quantity":2', '"quantity" :"x", "quantity"\t: 2', '"quantity":\n"x","quantity":2']) {
      const result = decoded(bytes(text.replace('"quantity":2', repeated)));
      expect(result.canonical).toBe(text);
    }
  });

  it('is not fooled by a quote-colon inside a string value: at worst it takes the careful path', () => {
    const event = returnRequested('e1', 'r1', 'o1');
    (event['data'] as { lines: { comment: string }[] }).lines[0]!.comment = 'said "size": M, got "size":L';
    const text = JSON.stringify(event);
    // The \" escapes are canonical already, so the careful path finds nothing to change.
    expect(decoded(text)).toMatchObject({ payload: text, canonical: null });
    const repeated = text.replace('"method":"mail"', '"method":"x","method":"mail"');
    expect(decoded(bytes(repeated)).canonical).toBe(text);
  });

  it('checks \\u escapes: a paired one passes (canonical differs), an unpaired surrogate is NOT_JSON at its path', () => {
    const text = JSON.stringify(orderPlaced('e1', 'o1')).replace('"EUR"', '"\\u0045UR"');
    expect(decoded(bytes(text)).canonical).toBe(JSON.stringify(orderPlaced('e1', 'o1')));
    const lone = decodeRawMessage(bytes(JSON.stringify(orderPlaced('e1', 'o1')).replace('"cus_1"', '"cus_\\ud800"')), LIMIT);
    expect(lone).toMatchObject({ ok: false, rejection: { code: 'RETOUR_EVENT_NOT_JSON', path: '$.data.customerId' } });
    const literal = decodeRawMessage(JSON.stringify(orderPlaced('e1', 'o1')).replace('"cus_1"', '"cus_\ud800"'), LIMIT);
    expect(literal).toMatchObject({ ok: false, rejection: { code: 'RETOUR_EVENT_NOT_JSON', path: '$.data.customerId' } });
  });

  it('stores the text without the byte order mark that the UTF-8 decoding drops', () => {
    const compact = JSON.stringify(orderPlaced('e1', 'o1'));
    const withMark = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(compact)]);
    expect(decoded(withMark)).toMatchObject({ id: 'e1', payload: compact, canonical: null });
    expect(payloadText(decoded(bytes(compact)).payload)).toBe(compact);
  });

  it('keeps what the refund check needs: order total of an order, amount of a refund', () => {
    const order = decoded(JSON.stringify(orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }, { lineId: 'l2', quantity: 1, unitPrice: 999 }])));
    expect(order).toMatchObject({ orderId: 'o1', amount: 3999, currency: 'EUR' });
    expect(decoded(JSON.stringify(refundIssued('e2', 'o1', 500)))).toMatchObject({ type: 'refund.issued', orderId: 'o1', amount: 500 });
    expect(decoded(JSON.stringify(returnRequested('e3', 'r1', 'o1')))).toMatchObject({ orderId: undefined, amount: 0 });
  });
});
