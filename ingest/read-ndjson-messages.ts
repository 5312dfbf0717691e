import { oversizeRejection } from '../domain/events/decode-event.ts';
import { DEAD_LETTER_MAX_VALUE_BYTES } from './kafka-dead-letter-message.ts';
import type { RawMessage } from './ingest-batch.ts';

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** How much of a line above the event size limit is kept as its quarantined raw bytes: as much as of a dead letter. */
export const OVERSIZE_LINE_KEPT_BYTES = DEAD_LETTER_MAX_VALUE_BYTES;

export interface ReadNdjsonOptions {
  /**
   * RETOUR_MAX_EVENT_BYTES: a longer line is not assembled. It becomes a message already rejected as
   * RETOUR_EVENT_OVERSIZE (with its full size) whose value is its first OVERSIZE_LINE_KEPT_BYTES, and
   * the rest of it is skipped as it streams by. Without it, lines of any length are assembled.
   */
  maxEventBytes?: number;
}

/**
 * The lines of an NDJSON stream as raw messages of one partition: offset = line number (from 1).
 * Lines end at a line feed only (a CRLF line loses its CR; a lone CR inside a line is JSON white
 * space and stays). Each line is handed over as its **bytes**, exactly as a Kafka message value
 * would be, so import and Kafka ingest decide alike: invalid UTF-8 is quarantined rather than
 * replaced by U+FFFD, and a byte order mark is dropped by the same decoder. Lines of spaces and tabs
 * only carry no message and are skipped; every other line is a message, valid or not.
 *
 * With `maxEventBytes`, no more than about max(maxEventBytes, OVERSIZE_LINE_KEPT_BYTES) bytes of a
 * line are held, however long it is: until session 13 a file with one 2 GB line (or a stream without
 * line feeds) was assembled whole in memory and quarantined whole.
 *
 * @example
 * for await (const message of readNdjsonMessages(createReadStream('events.ndjson'), 'import:events.ndjson', { maxEventBytes: 65536 })) …
 */
export async function* readNdjsonMessages(input: NodeJS.ReadableStream, topic: string, options: ReadNdjsonOptions = {}): AsyncGenerator<RawMessage> {
  const maxEventBytes = options.maxEventBytes ?? Number.POSITIVE_INFINITY;
  let lineNumber = 0;
  /** Pieces of the line that began in an earlier chunk and has not ended yet (only its first OVERSIZE_LINE_KEPT_BYTES once it is oversize). */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Bytes of the current line so far, all of them (pending holds fewer once it is oversize). */
  let lineBytes = 0;
  let lastByte = -1;
  let oversize = false;

  const take = (piece: Buffer): void => {
    if (piece.length === 0) return;
    lineBytes += piece.length;
    lastByte = piece[piece.length - 1]!;
    if (!oversize) {
      pending.push(piece);
      pendingBytes += piece.length;
      // One byte of slack: a CR before the line feed does not count (lineMessage drops it).
      if (lineBytes <= maxEventBytes + 1) return;
      oversize = true;
      const kept = Buffer.concat(pending, pendingBytes);
      pending = [Buffer.from(kept.subarray(0, OVERSIZE_LINE_KEPT_BYTES))];
      pendingBytes = pending[0]!.length;
      return;
    }
    if (pendingBytes < OVERSIZE_LINE_KEPT_BYTES) {
      // A copy: a view would keep the whole chunk it came from alive.
      const kept = Buffer.from(piece.subarray(0, OVERSIZE_LINE_KEPT_BYTES - pendingBytes));
      pending.push(kept);
      pendingBytes += kept.length;
    }
  };
  const endLine = (): RawMessage | undefined => {
    lineNumber++;
    let message: RawMessage | undefined;
    if (oversize) {
      const byteLength = lineBytes - (lastByte === CARRIAGE_RETURN ? 1 : 0);
      // A line kept whole loses its CR, as lineMessage drops it.
      const value = Buffer.concat(pending, Math.min(pendingBytes, byteLength));
      message = { topic, partition: 0, offset: lineNumber, value, rejection: oversizeRejection(byteLength, maxEventBytes) };
    } else {
      message = lineMessage(pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes), topic, lineNumber);
    }
    pending = [];
    pendingBytes = 0;
    lineBytes = 0;
    lastByte = -1;
    oversize = false;
    return message;
  };

  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    let start = 0;
    for (let end = bytes.indexOf(LINE_FEED, start); end !== -1; end = bytes.indexOf(LINE_FEED, start)) {
      take(bytes.subarray(start, end));
      start = end + 1;
      const message = endLine();
      if (message !== undefined) yield message;
    }
    if (start < bytes.length) take(bytes.subarray(start));
  }
  if (lineBytes > 0) {
    const message = endLine();
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
