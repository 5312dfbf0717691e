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
 * @example
 * const { messages } = readCsvImport({ csvText, mappingText, topic: 'import:sales.csv' });
 */
export function readCsvImport(options: { csvText: string; mappingText: string; topic: string }): CsvImport {
  let mappingValue: unknown;
  try {
    mappingValue = JSON.parse(options.mappingText);
  } catch (error: unknown) {
    throw new RetourError('RETOUR_USAGE', `the mapping is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  // Checked once alone (its delimiter is needed to read the header), then against the header.
  const delimiter = checkCsvMapping(mappingValue).delimiter ?? ',';
  let records;
  try {
    records = parseCsv(options.csvText.replace(/^\uFEFF/, ''), delimiter);
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
