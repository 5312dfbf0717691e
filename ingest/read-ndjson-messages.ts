import type { RawMessage } from './ingest-batch.ts';

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The lines of an NDJSON stream as raw messages of one partition: offset = line number (from 1).
 * Lines end at a line feed only (a CRLF line loses its CR; a lone CR inside a line is JSON white
 * space and stays). Each line is handed over as its **bytes**, exactly as a Kafka message value
 * would be, so import and Kafka ingest decide alike: invalid UTF-8 is quarantined rather than
 * replaced by U+FFFD, and a byte order mark is dropped by the same decoder. Lines of spaces and tabs
 * only carry no message and are skipped; every other line is a message, valid or not.
 *
 * @example
 * for await (const message of readNdjsonMessages(createReadStream('events.ndjson'), 'import:events.ndjson')) …
 */
export async function* readNdjsonMessages(input: NodeJS.ReadableStream, topic: string): AsyncGenerator<RawMessage> {
  let lineNumber = 0;
  /** Pieces of the line that began in an earlier chunk and has not ended yet. */
  let pending: Buffer[] = [];
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    let start = 0;
    for (let end = bytes.indexOf(LINE_FEED, start); end !== -1; end = bytes.indexOf(LINE_FEED, start)) {
      const piece = bytes.subarray(start, end);
      const line = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      start = end + 1;
      lineNumber++;
      const message = lineMessage(line, topic, lineNumber);
      if (message !== undefined) yield message;
    }
    if (start < bytes.length) pending.push(bytes.subarray(start));
  }
  if (pending.length > 0) {
    const message = lineMessage(Buffer.concat(pending), topic, lineNumber + 1);
    if (message !== undefined) yield message;
  }
}

function lineMessage(line: Buffer, topic: string, lineNumber: number): RawMessage | undefined {
  const value = line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, line.length - 1) : line;
  if (isBlank(value)) return undefined;
  return { topic, partition: 0, offset: lineNumber, value };
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== CARRIAGE_RETURN) return false;
  return true;
}
