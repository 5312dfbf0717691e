import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeRawMessage } from '../../ingest/decode-raw-message.ts';
import { OVERSIZE_LINE_KEPT_BYTES, readNdjsonMessages } from '../../ingest/read-ndjson-messages.ts';
import { orderPlaced } from './contract-event-builders.ts';

async function readWithLimit(chunks: readonly (Buffer | string)[], maxEventBytes: number) {
  const messages = [];
  for await (const message of readNdjsonMessages(Readable.from(chunks), 'import:t', { maxEventBytes })) messages.push(message);
  return messages;
}

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

  it('turns a line above the event size limit into an oversize rejection holding only its first 256 KiB, never the whole line', async () => {
    const maxEventBytes = 65_536;
    const lineBytes = 3 * 1024 * 1024;
    // The huge line streams in 64 KiB chunks, as a file or a pipe gives it; the reader sees each chunk once.
    let largestHeld = 0;
    async function* chunks() {
      yield Buffer.from(`${event}\n`);
      const chunk = Buffer.alloc(65_536, 0x61);
      for (let sent = 0; sent < lineBytes; sent += chunk.length) yield chunk;
      yield Buffer.from(`\r\n${event.replace('e1', 'e3')}\n`);
    }
    const messages = [];
    for await (const message of readNdjsonMessages(Readable.from(chunks()), 'import:t', { maxEventBytes })) {
      messages.push(message);
      largestHeld = Math.max(largestHeld, (message.value as Uint8Array).byteLength);
    }
    expect(messages.map((message) => message.offset)).toEqual([1, 2, 3]);
    expect(messages[1]!.rejection).toEqual({ code: 'RETOUR_EVENT_OVERSIZE', path: '$', message: `$: message is ${lineBytes} bytes, above the limit of ${maxEventBytes} bytes` });
    expect((messages[1]!.value as Uint8Array).byteLength).toBe(OVERSIZE_LINE_KEPT_BYTES);
    expect(Buffer.from(messages[1]!.value as Uint8Array).every((byte) => byte === 0x61)).toBe(true);
    expect(largestHeld).toBe(OVERSIZE_LINE_KEPT_BYTES);
    // The lines after it are read normally.
    expect([messages[0], messages[2]].map((message) => decodeRawMessage(message!.value, maxEventBytes)).map((decoded) => decoded.ok && decoded.id)).toEqual(['e1', 'e3']);
  });

  it('decides a line at the limit as Kafka ingest does: up to the limit (plus a CR) it is assembled; a last line without a line feed counts too', async () => {
    const maxEventBytes = 1000;
    const padded = (length: number) => `{"pad":"${'x'.repeat(length - 10)}"}`;
    const atLimit = padded(maxEventBytes);
    const aboveLimit = padded(maxEventBytes + 1);
    const messages = await readWithLimit([`${atLimit}\r\n${aboveLimit}\r\n${aboveLimit}\n${padded(5000)}`], maxEventBytes);
    const outcomes = messages.map((message) => {
      const decoded = decodeRawMessage(message.value, maxEventBytes);
      return message.rejection?.message ?? (decoded.ok ? 'ok' : decoded.rejection.message);
    });
    // Whether the reader or the decoder refuses a line, it is the same refusal, as for a Kafka message of the line's bytes.
    expect(outcomes).toEqual([expect.stringMatching(/^\$\.specversion: /), ...Array<string>(2).fill('$: message is 1001 bytes, above the limit of 1000 bytes'), '$: message is 5000 bytes, above the limit of 1000 bytes']);
    expect(messages.map((message) => (message.value as Uint8Array).byteLength)).toEqual([1000, 1001, 1001, 5000]);
  });
});
