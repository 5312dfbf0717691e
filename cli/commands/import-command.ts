import { accessSync, closeSync, constants, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { readCsvImport } from '../../ingest/csv/read-csv-import.ts';
import { createEventBatchWriter, writerSettingsFromConfig, type RawMessage } from '../../ingest/ingest-batch.ts';
import { importMessages, type ImportSummary } from '../../ingest/import-messages.ts';
import { readNdjsonMessages } from '../../ingest/read-ndjson-messages.ts';
import { openDatabase } from '../../store/open-database.ts';
import type { Command } from '../command.ts';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Codes of file-system errors that mean "this path cannot be read", with what to tell the user. */
const UNREADABLE: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EIO: 'input/output error',
};

/** "cannot read PATH: why" for a file-system error on an input file, or undefined for any other error. */
function unreadableFile(error: unknown, fallbackPath: string): string | undefined {
  if (error instanceof RetourError || typeof error !== 'object' || error === null) return undefined;
  const { code, path } = error as { code?: unknown; path?: unknown };
  const why = typeof code === 'string' ? UNREADABLE[code] : undefined;
  return why === undefined ? undefined : `cannot read ${typeof path === 'string' ? path : fallbackPath}: ${why}`;
}

/** Throws (ENOENT, EISDIR, EACCES, …) unless `path` is a file this process may read. */
function checkReadableFile(path: string): void {
  if (statSync(path).isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR', path });
  accessSync(path, constants.R_OK);
}

/** A JSON document rather than NDJSON: an array, or an object spread over lines (after a BOM and white space). */
function jsonDocument(head: Buffer, path: string): string | undefined {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const convert = (what: string, filter: string) => `${path} holds ${what}, and NDJSON is one event per line: convert it first, e.g. jq -c '${filter}' ${path} | retour import -`;
  if (/^\s*\[/.test(text)) return convert('a JSON array', '.[]');
  if (/^\s*\{[ \t]*\r?\n/.test(text)) return convert('pretty-printed JSON', '.');
  return undefined;
}

/**
 * What a compressed, UTF-16 or JSON-document input is and how to import it, or undefined for any
 * other file: a gzip file was read as NDJSON lines of binary (every line quarantined, exit 0), an
 * .xlsx workbook (a ZIP) as a CSV that is "not valid UTF-8", a UTF-16 NDJSON file (what Windows
 * PowerShell's `>` writes) as lines of "not valid UTF-8 JSON", a JSON array on one line as one
 * oversize message and a pretty-printed one as lines of broken JSON. A CSV names its encoding in the mapping.
 */
function inputInAnotherFormat(path: string, csv: boolean): string | undefined {
  const head = Buffer.alloc(256);
  const descriptor = openSync(path, 'r');
  try {
    head.fill(0x20);
    readSync(descriptor, head, 0, head.length, 0);
  } catch {
    return undefined; // a read error is reported by the import's own read, with what was stored
  } finally {
    closeSync(descriptor);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return `${path} is gzip-compressed: decompress it first, e.g. gunzip -c ${path} | retour import ${csv ? '--csv - --mapping MAPPING.json' : '-'}`;
  if (head.subarray(0, 4).toString('latin1') === 'PK\x03\x04') return `${path} is a ZIP archive${csv ? ' (an .xlsx workbook?): export the sheet as CSV' : ': extract the NDJSON file'} first`;
  // A UTF-16 byte order mark, or "{" as a UTF-16 code unit (no byte order mark).
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || (head[0] === 0x7b && head[1] === 0x00) || (head[0] === 0x00 && head[1] === 0x7b);
  if (!csv && utf16) return `${path} is UTF-16 text, and NDJSON is UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8 ${path} | retour import -`;
  return csv ? undefined : jsonDocument(head, path);
}

function formatSummary(summary: ImportSummary & { file: string; topic: string; csv?: { rows: number; skippedRows: Record<string, number>; unmatchedRows: number } }): string {
  const lines = [
    `imported        ${summary.file} as ${summary.topic}`,
    ...(summary.csv === undefined
      ? []
      : [
          `csv rows        ${summary.csv.rows} (${summary.csv.unmatchedRows} matched no rule)`,
          ...Object.entries(summary.csv.skippedRows).map(([rule, count]) => `  skipped by ${rule.padEnd(18)} ${count}`),
        ]),
    `consumed        ${summary.consumed}`,
    `stored          ${summary.stored}`,
    ...Object.entries(summary.storedByType).map(([type, count]) => `  ${type.padEnd(30)} ${count}`),
    `duplicates      ${summary.duplicates}`,
    `quarantined     ${summary.quarantinedTotal}`,
    ...Object.entries(summary.quarantined).map(([code, count]) => `  ${code.padEnd(30)} ${count}`),
    `time            ${summary.seconds.toFixed(2)} s (${Math.round(summary.consumed / Math.max(summary.seconds, 1e-9))} events/s)`,
  ];
  return `${lines.join('\n')}\n`;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Import NDJSON CloudEvents (or a mapped CSV) through the ingest path',
  usage: 'import FILE|- [--json]\n       retour import --csv FILE|- --mapping MAPPING.json [--json]',
  options: {
    csv: { type: 'boolean', description: 'FILE is a CSV export, turned into events by --mapping (docs/csv-mapping.md)' },
    mapping: { type: 'string', valueName: 'MAPPING.json', description: 'The CSV mapping (e.g. examples/online-retail.mapping.json)' },
    json: { type: 'boolean', description: 'Print one JSON summary (consumed, stored, duplicates, quarantinedTotal, quarantined by code, …)' },
  },
  details: [
    'Every line (or mapped CSV group) goes through exactly the validation, dedupe and storage of Kafka ingest,',
    'in transactions of RETOUR_BATCH_MAX_EVENTS messages; topic import:<file name> (import:stdin for -), partition 0,',
    'offset = line number. Importing the same file again stores nothing new and counts duplicates.',
    'Exit 0 even when lines were quarantined (see `retour status`); non-zero only when the import itself failed.',
  ].join('\n'),
  async run(context) {
    const [file, ...extra] = context.positionals;
    const usage = (message: string): number => {
      context.stderr.write(`retour import: ${message}\nUsage: retour ${importCommand.usage}\n`);
      return 2;
    };
    if (file === undefined || extra.length > 0) return usage('give exactly one FILE, or - for standard input');
    const csv = context.options['csv'] === true;
    const mappingPath = context.options['mapping'];
    if (csv !== (typeof mappingPath === 'string')) return usage('--csv and --mapping go together');
    const topic = file === '-' ? 'import:stdin' : `import:${basename(file)}`;

    let messages: AsyncIterable<RawMessage> | Iterable<RawMessage>;
    let csvSummary: { rows: number; skippedRows: Record<string, number>; unmatchedRows: number } | undefined;
    try {
      // Checked before any stream is opened: a stream's open error would come later, as an 'error' event.
      if (file !== '-') {
        checkReadableFile(file);
        const otherFormat = inputInAnotherFormat(file, csv);
        if (otherFormat !== undefined) return usage(otherFormat);
      }
      if (csv) {
        checkReadableFile(mappingPath as string);
        // Bytes, not text: the mapping names their encoding (UTF-8 unless it says otherwise).
        const csvBytes = file === '-' ? await readAll(process.stdin) : readFileSync(file);
        const imported = readCsvImport({ csvBytes, mappingText: readFileSync(mappingPath as string, 'utf8'), topic });
        messages = imported.messages;
        csvSummary = imported.mapping;
      } else {
        // The file stream is made only when the import reads it, so its errors reach the reader's await.
        // A line above the event size limit is never assembled whole (docs/ingest.md § `retour import`).
        const lineOptions = { maxEventBytes: context.config.maxEventBytes };
        messages = file === '-' ? readNdjsonMessages(process.stdin, topic, lineOptions) : (async function* () {
          yield* readNdjsonMessages(createReadStream(file), topic, lineOptions);
        })();
      }
    } catch (error: unknown) {
      const unreadable = unreadableFile(error, file);
      if (unreadable === undefined) throw error;
      return usage(unreadable);
    }

    const database = await openDatabase({ path: context.config.database });
    try {
      // Same DuckDB settings as `retour ingest` (checkpoint threshold, memory limit, threads).
      const writer = await createEventBatchWriter(await database.connect(), writerSettingsFromConfig(context.config, context.config.ingestDuckdbThreads));
      try {
        const progress = context.stderr.isTTY === true && context.options['json'] !== true;
        let summary: ImportSummary;
        try {
          summary = await importMessages(writer, messages, {
            batchSize: context.config.batchMaxEvents,
            maxEventBytes: context.config.maxEventBytes,
            signal: context.signal,
            onBatch: (running) => {
              if (progress) context.stderr.write(`\r${running.consumed} events, ${running.stored} stored, ${running.duplicates} duplicates, ${running.quarantinedTotal} quarantined`);
            },
          });
        } catch (error: unknown) {
          // A read error of the file (or stdin) in mid-stream ends the import like an unreadable file.
          const unreadable = unreadableFile(error, file);
          if (unreadable === undefined) throw error;
          if (progress) context.stderr.write('\n');
          context.stderr.write(`retour import: ${unreadable}; the import stopped (lines stored before it stay; importing again stores only what is missing)\n`);
          return 2;
        }
        if (progress) context.stderr.write('\n');
        const result = { file, topic, ...summary, ...(csvSummary === undefined ? {} : { csv: csvSummary }), interrupted: context.signal.aborted };
        context.logger.info({ ...result }, 'import finished');
        context.stdout.write(context.options['json'] === true ? `${JSON.stringify(result)}\n` : formatSummary(result));
        return context.signal.aborted ? 130 : 0;
      } finally {
        writer.close();
      }
    } finally {
      database.close();
    }
  },
};
