import { RetourError } from '../../domain/errors/retour-error.ts';
import { EXPORT_FORMATS, EXPORTABLE_TABLES, exportTable, type ExportFormat } from '../../store/export-table.ts';
import { openDatabase } from '../../store/open-database.ts';
import type { Command } from '../command.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export a result table (NDJSON, CSV or Parquet)',
  usage: 'export TABLE --format ndjson|csv|parquet [--out FILE]',
  options: {
    format: { type: 'string', valueName: 'FORMAT', description: 'ndjson, csv or parquet' },
    out: { type: 'string', valueName: 'FILE', description: 'Write to this file (default, or -: stdout; a file is required for parquet)' },
  },
  details: `Tables: ${EXPORTABLE_TABLES.join(', ')}. The row count goes to stderr, so stdout holds only the data.`,
  async run(context) {
    const [table, extra] = context.positionals;
    if (table === undefined || extra !== undefined) throw new RetourError('RETOUR_USAGE', `usage: retour ${exportCommand.usage}`);
    const format = context.options['format'];
    if (format === undefined) throw new RetourError('RETOUR_USAGE', `--format is required: one of ${EXPORT_FORMATS.join(', ')}`);
    if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new RetourError('RETOUR_USAGE', `--format must be one of ${EXPORT_FORMATS.join(', ')}; got ${JSON.stringify(format ?? null)}`);
    }
    // `--out -` is stdout, as for most command-line tools (it used to create a file named "-").
    const out = context.options['out'] === '-' ? undefined : context.options['out'];
    // Check the name before opening (and possibly creating) the database.
    if (!(EXPORTABLE_TABLES as readonly string[]).includes(table)) {
      throw new RetourError('RETOUR_USAGE', `TABLE must be one of ${EXPORTABLE_TABLES.join(', ')}; got ${JSON.stringify(table)}`);
    }
    const database = await openDatabase({ path: context.config.database });
    try {
      const connection = await database.connect();
      const rows = await exportTable(connection, {
        table,
        format: format as ExportFormat,
        ...(typeof out === 'string' ? { out } : { stream: context.stdout }),
      });
      context.stderr.write(`exported ${rows} rows of ${table}${typeof out === 'string' ? ` to ${out}` : ''}\n`);
      return 0;
    } finally {
      database.close();
    }
  },
};
