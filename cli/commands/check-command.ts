import { RetourError } from '../../domain/errors/retour-error.ts';
import { checkDatabase } from '../../store/check-database.ts';
import { openDatabase } from '../../store/open-database.ts';
import type { Command } from '../command.ts';

/** Exit code when a check failed. */
const EXIT_CHECK_FAILED = 1;
/** Exit code when the database could not be opened, as for a usage error: nothing was checked. */
const EXIT_NOT_CHECKED = 2;

/** `retour check`: whether the database is sound, e.g. after a crash and before `retour serve` starts on it again. */
export const checkCommand: Command = {
  name: 'check',
  summary: 'Check the database after a crash: indexes, stream offsets, entities, review decisions',
  usage: 'check [--json]',
  options: { json: { type: 'boolean', description: 'Print one JSON object: { database, status, findings: [{ check, status, detail }] }' } },
  details:
    'Exit 0 when nothing failed (warnings included), 1 when a check failed, 2 when the database could not be opened (e.g. in use by `retour serve`). Read-only: the index check re-inserts and deletes every row inside a transaction it rolls back, so it takes a while on a large database and needs the file to itself (stop `retour serve` first). What each check means: docs/ingest.md § Checking a database.',
  async run(context) {
    let database: Awaited<ReturnType<typeof openDatabase>>;
    try {
      database = await openDatabase({ path: context.config.database });
    } catch (error: unknown) {
      // Not a failed check: nothing was checked (in use by `retour serve`, too new, not a database).
      if (!(error instanceof RetourError)) throw error;
      context.stderr.write(`retour check: ${error.message} (${error.code})\n`);
      return EXIT_NOT_CHECKED;
    }
    try {
      const report = await checkDatabase(await database.connect());
      if (context.options['json'] === true) {
        context.stdout.write(`${JSON.stringify({ database: context.config.database, ...report })}\n`);
      } else {
        const width = Math.max(...report.findings.map((finding) => finding.check.length));
        for (const finding of report.findings) context.stdout.write(`${finding.status.toUpperCase().padEnd(4)}  ${finding.check.padEnd(width)}  ${finding.detail}\n`);
        const count = (status: string): number => report.findings.filter((finding) => finding.status === status).length;
        context.stdout.write(`${context.config.database}: ${report.status} (${report.findings.length} checks, ${count('warn')} warnings, ${count('fail')} failed)\n`);
      }
      return report.status === 'fail' ? EXIT_CHECK_FAILED : 0;
    } finally {
      database.close();
    }
  },
};
