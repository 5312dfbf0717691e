import { describe, expect, it } from 'vitest';
import { decodeRawMessage } from '../../../ingest/decode-raw-message.ts';
import { packBatch, unpackBatch, type PackableMessage } from '../../../ingest/worker/packed-batch.ts';
import { orderPlaced, refundIssued } from '../contract-event-builders.ts';

const clone = structuredClone;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const LIMIT = 8192;

/** Messages of every shape: events, a byte-order-marked event, a tombstone, not JSON, oversize; two topics. */
function sampleMessages(): PackableMessage[] {
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(JSON.stringify(orderPlaced('e_bom', 'o_bom')))]);
  return [
    { topic: 'orders', partition: 0, offset: 10, value: bytes(JSON.stringify(orderPlaced('e1', 'o1'))) },
    { topic: 'refunds', partition: 2, offset: 7, value: bytes(JSON.stringify(refundIssued('e2', 'o1', 1500))) },
    { topic: 'orders', partition: 0, offset: 11, value: bom },
    { topic: 'orders', partition: 1, offset: 0, value: null },
    { topic: 'refunds', partition: 2, offset: 8, value: bytes('{"id": ') },
    { topic: 'orders', partition: 1, offset: 2 ** 40, value: bytes(`"${'x'.repeat(LIMIT)}"`) },
  ];
}

describe('packBatch / unpackBatch', () => {
  it('gives back the same messages and decoded results, after a structured clone as postMessage makes', () => {
    const messages = sampleMessages();
    const decoded = messages.map((message) => decodeRawMessage(message.value, LIMIT));
    const nextOffsets = [{ topic: 'orders', partition: 0, nextOffset: 12 }];
    const { packed, transfer } = packBatch(messages, decoded, nextOffsets);
    const unpacked = unpackBatch(clone(packed, { transfer }));
    expect(unpacked.nextOffsets).toEqual(nextOffsets);
    expect(unpacked.messages.map(({ topic, partition, offset }) => ({ topic, partition, offset }))).toEqual(
      messages.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
    );
    unpacked.messages.forEach((message, index) => {
      const original = messages[index]!.value;
      if (original === null) expect(message.value).toBeNull();
      else expect(Array.from(message.value!)).toEqual(Array.from(original));
    });
    expect(unpacked.decoded.map((entry) => entry.ok)).toEqual([true, true, true, false, false, false]);
    unpacked.decoded.forEach((entry, index) => {
      const expected = decoded[index]!;
      if (!entry.ok || !expected.ok) {
        expect(entry).toEqual(expected);
        return;
      }
      // Field by field: the unpacked event reads them in place (getters), it has no own copies.
      const fields = ({ ok, id, type, canonical, orderId, amount, currency }: typeof entry) => ({ ok, id, type, canonical, orderId, amount, currency });
      expect(fields(entry)).toEqual(fields(expected));
      if (typeof expected.payload === 'string') expect(entry.payload).toBe(expected.payload);
      else expect(Array.from(entry.payload as Uint8Array)).toEqual(Array.from(expected.payload));
    });
    // An event and its message are one object, so a batch in flight holds one object per message.
    expect(unpacked.decoded[0]).toBe(unpacked.messages[0]);
    // The one values buffer was moved, not copied: the packer's side is detached.
    expect(packed.values.byteLength).toBe(0);
  });

  it('packs an empty batch', () => {
    const { packed, transfer } = packBatch([], [], []);
    expect(unpackBatch(clone(packed, { transfer }))).toEqual({ messages: [], decoded: [], nextOffsets: [] });
  });

  it('refuses decoded results that do not match the messages', () => {
    const messages = sampleMessages();
    expect(() => packBatch(messages, [], [])).toThrow(/decoded has 0 entries for 6 messages/);
    const other = decodeRawMessage(bytes(JSON.stringify(orderPlaced('e9', 'o9'))), LIMIT);
    expect(() => packBatch([messages[0]!], [other], [])).toThrow(/neither its value nor text/);
  });
});
