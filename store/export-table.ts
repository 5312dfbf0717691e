import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { RetourError } from '../domain/errors/retour-error.ts';

/** Result tables (and views) `retour export` may write; anything else is refused before any SQL runs. */
export const EXPORTABLE_TABLES = [
  'refund_exceptions',
  'return_stage_times',
  'ops_stage_percentiles',
  'ops_stuck_returns',
  'ops_feedback_summary',
  'ops_feedback_links',
  'quality_alerts',
  'quality_weekly',
  'quality_daily',
  'customer_scores',
  'customer_features',
  'customer_rings',
  'risk_flags',
  // Who decided or changed what, when (flag decisions, key changes): for compliance archives.
  'audit_log',
] as const;
export type ExportableTable = (typeof EXPORTABLE_TABLES)[number];

export const EXPORT_FORMATS = ['ndjson', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const COPY_OPTIONS: Record<ExportFormat, string> = {
  ndjson: 'FORMAT json',
  csv: 'FORMAT csv, HEADER true',
  parquet: 'FORMAT parquet, COMPRESSION zstd',
};

/** VARCHAR columns of the result tables that hold JSON text (migrations say so column by column). */
const JSON_TEXT_COLUMNS = new Set([
  'details',
  'baseline_reasons',
  'top_reasons',
  'top_comment_words',
  'reasons',
  'evidence',
  'recent_comments',
  'reason_mix',
]);

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The select list of an export. Text formats write times as RFC 3339 UTC (`2026-11-27T08:43:54.048Z`,
 * as the API does) instead of DuckDB's `2026-11-27 08:43:54.048+00` in the session's zone, and NDJSON
 * nests the JSON-text columns as JSON instead of strings holding JSON. Parquet keeps DuckDB's types.
 */
async function exportColumns(connection: DuckDBConnection, table: ExportableTable, format: ExportFormat): Promise<string> {
  if (format === 'parquet') return '*';
  const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${table}`)).getRowObjectsJS();
  return described
    .map((row) => {
      const name = String(row['column_name']);
      const type = String(row['column_type']);
      const column = quoteIdentifier(name);
      if (type === 'TIMESTAMP WITH TIME ZONE') return `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS ${column}`;
      if (format === 'ndjson' && type === 'VARCHAR' && JSON_TEXT_COLUMNS.has(name)) return `${column}::JSON AS ${column}`;
      return column;
    })
    .join(', ');
}

export function isExportableTable(name: string): name is ExportableTable {
  return (EXPORTABLE_TABLES as readonly string[]).includes(name);
}

/**
 * Writes a whole result table with DuckDB's COPY, to `out` (a file path) or, for the text formats,
 * into `stream` (COPY goes to a temporary file first, because DuckDB writes files, not Node streams).
 * Returns the number of rows. The table name is checked against EXPORTABLE_TABLES — it is spliced
 * into the SQL, so only allow-listed names ever reach it.
 */
export async function exportTable(
  connection: DuckDBConnection,
  options: { table: string; format: ExportFormat; out?: string; stream?: NodeJS.WritableStream },
): Promise<number> {
  if (!isExportableTable(options.table)) {
    throw new RetourError('RETOUR_USAGE', `table must be one of ${EXPORTABLE_TABLES.join(', ')}; got ${JSON.stringify(options.table)}`);
  }
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) {
    throw new RetourError('RETOUR_USAGE', `format must be one of ${EXPORT_FORMATS.join(', ')}; got ${JSON.stringify(options.format)}`);
  }
  if (options.out === undefined && options.stream === undefined) throw new RetourError('RETOUR_USAGE', 'export needs a file (out) or a stream');
  if (options.out === undefined && options.format === 'parquet') throw new RetourError('RETOUR_USAGE', 'parquet is binary: give --out FILE');
  const columns = await exportColumns(connection, options.table, options.format);
  const copy = async (path: string): Promise<number> => {
    const result = await connection.run(`COPY (SELECT ${columns} FROM ${options.table}) TO '${path.replaceAll("'", "''")}' (${COPY_OPTIONS[options.format]})`);
    return Number(result.rowsChanged);
  };
  if (options.out !== undefined) return copy(options.out);
  const folder = await mkdtemp(join(tmpdir(), 'retour-export-'));
  try {
    const path = join(folder, `${options.table}.${options.format}`);
    const rows = await copy(path);
    await pipeline(createReadStream(path), options.stream!, { end: false });
    return rows;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
