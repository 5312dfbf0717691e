import { createInterface } from 'node:readline';
import type { RawMessage } from './ingest-batch.ts';

/**
 * The lines of an NDJSON stream as raw messages of one partition: offset = line number (from 1).
 * Blank lines carry no message and are skipped; every other line is a message, valid or not.
 *
 * @example
 * for await (const message of readNdjsonMessages(createReadStream('events.ndjson'), 'import:events.ndjson')) …
 */
export async function* readNdjsonMessages(input: NodeJS.ReadableStream, topic: string): AsyncGenerator<RawMessage> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    yield { topic, partition: 0, offset: lineNumber, value: line };
  }
}
