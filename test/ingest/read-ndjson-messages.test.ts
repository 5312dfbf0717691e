import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeRawMessage } from '../../ingest/decode-raw-message.ts';
import { readNdjsonMessages } from '../../ingest/read-ndjson-messages.ts';
import { orderPlaced } from './contract-event-builders.ts';

async function read(chunks: readonly (Buffer | string)[]) {
  const messages = [];
  for await (const message of readNdjsonMessages(Readable.from(chunks), 'import:t')) messages.push(message);
  return messages;
}

const event = JSON.stringify(orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 1, unitPrice: 100 }]));

describe('readNdjsonMessages', () => {
  it('numbers lines from 1, skips blank ones, and reads lines split across chunks and a last line without a line feed', async () => {
    const text = `${event}\n\n  \t\n${event.replace('e1', 'e2')}\n${event.replace('e1', 'e3')}`;
    const messages = await read([text.slice(0, 10), text.slice(10, 200), text.slice(200)].map((part) => Buffer.from(part)));
    expect(messages.map((message) => message.offset)).toEqual([1, 4, 5]);
    expect(messages.map((message) => Buffer.from(message.value as Uint8Array).toString('utf8'))).toEqual([event, event.replace('e1', 'e2'), event.replace('e1', 'e3')]);
  });

  it('hands over the bytes of each line, so it decides exactly as Kafka ingest does on the same bytes', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    // Inside a string: decoded with replacement characters it would be a valid event with id "e6\ufffd(".
    const [beforeInvalid, afterInvalid] = event.replace('"e1"', '"e6@"').split('@') as [string, string];
    const invalidUtf8 = Buffer.concat([Buffer.from(beforeInvalid), Buffer.from([0xc3, 0x28]), Buffer.from(afterInvalid)]);
    // A lone CR between tokens is JSON white space; CRLF ends a line like LF.
    const loneCarriageReturn = Buffer.from(event.replace('e1', 'e4').replace('"source"', '\r"source"'));
    const lines = [Buffer.concat([bom, Buffer.from(event)]), invalidUtf8, loneCarriageReturn, Buffer.from(event.replace('e1', 'e5'))];
    const file = Buffer.concat(lines.flatMap((line, index) => [line, Buffer.from(index === 2 ? '\r\n' : '\n')]));
    const messages = await read([file]);
    expect(messages).toHaveLength(4);
    const outcomes = messages.map((message) => {
      const decoded = decodeRawMessage(message.value, 65536);
      return decoded.ok ? decoded.id : decoded.rejection.code;
    });
    expect(outcomes).toEqual(['e1', 'RETOUR_EVENT_NOT_JSON', 'e4', 'e5']);
    // The same bytes as Kafka message values give the same outcomes.
    expect(lines.map((line) => decodeRawMessage(line, 65536)).map((decoded) => (decoded.ok ? decoded.id : decoded.rejection.code))).toEqual(outcomes);
  });
});
