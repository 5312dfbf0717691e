/**
 * `retour import --csv FILE --mapping MAPPING.json`: reads the whole CSV (rows of one group may be
 * anywhere in the file), checks the mapping against its header and maps it to contract events, as
 * raw messages for the same ingestBatch path as NDJSON (offset = CSV line of the group's first row).
 */
import { RetourError } from '../../domain/errors/retour-error.ts';
import type { RawMessage } from '../ingest-batch.ts';
import { checkCsvMapping } from './csv-mapping.ts';
import { mapCsvEvents, type CsvMappingResult } from './map-csv-events.ts';
import { parseCsv } from './parse-csv.ts';

export interface CsvImport {
  messages: RawMessage[];
  mapping: Omit<CsvMappingResult, 'events'>;
}

/**
 * The text of a CSV file's bytes in `encoding`, strictly: a byte sequence that is not valid there is
 * a usage error naming its line, never a silent U+FFFD (two product names that differ in one accented
 * letter would become one id).
 */
function decodeCsvBytes(bytes: Uint8Array, encoding: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error: unknown) {
    const hint = new TextDecoder(encoding).encoding === 'utf-8' ? ': save it as UTF-8, or name its encoding in the mapping, e.g. "encoding": "windows-1252"' : '';
    // A line break (0x0A) is never part of a multi-byte sequence in UTF-8 or the single-byte
    // encodings, so decoding line by line finds the first bad line.
    let line = 1;
    let start = 0;
    for (let index = 0; index <= bytes.length; index++) {
      if (index < bytes.length && bytes[index] !== 0x0a) continue;
      try {
        new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(start, index));
      } catch {
        throw new RetourError('RETOUR_USAGE', `the CSV file is not valid ${encoding} (line ${line})${hint}`, { cause: error });
      }
      line++;
      start = index + 1;
    }
    throw new RetourError('RETOUR_USAGE', `the CSV file is not valid ${encoding}${hint}`, { cause: error });
  }
}

/**
 * @example
 * const { messages } = readCsvImport({ csvBytes: readFileSync('sales.csv'), mappingText, topic: 'import:sales.csv' });
 * // csvText instead of csvBytes: a text already decoded (the mapping's encoding is then not used)
 */
export function readCsvImport(options: ({ csvText: string } | { csvBytes: Uint8Array }) & { mappingText: string; topic: string }): CsvImport {
  let mappingValue: unknown;
  try {
    mappingValue = JSON.parse(options.mappingText);
  } catch (error: unknown) {
    throw new RetourError('RETOUR_USAGE', `the mapping is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  // Checked once alone (its delimiter is needed to read the header), then against the header.
  const { delimiter = ',', encoding = 'utf-8' } = checkCsvMapping(mappingValue);
  const csvText = 'csvText' in options ? options.csvText : decodeCsvBytes(options.csvBytes, encoding);
  let records;
  try {
    records = parseCsv(csvText.replace(/^\uFEFF/, ''), delimiter);
    const first = records.next();
    if (first.done === true) throw new RetourError('RETOUR_USAGE', 'the CSV file is empty: it needs a header line');
    const header = first.value.fields.map((name) => name.trim());
    const mapping = checkCsvMapping(mappingValue, header);
    const { events, ...summary } = mapCsvEvents(mapping, header, records);
    return {
      messages: events.map((event) => ({ topic: options.topic, partition: 0, offset: event.line, value: event.text, ...(event.rejection === undefined ? {} : { rejection: event.rejection }) })),
      mapping: summary,
    };
  } catch (error: unknown) {
    if (error instanceof SyntaxError) throw new RetourError('RETOUR_USAGE', `the CSV file is malformed: ${error.message}`, { cause: error });
    throw error;
  }
}
