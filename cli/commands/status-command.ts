import { openDatabase } from '../../store/open-database.ts';
import { readIngestStatus } from '../../store/read-ingest-status.ts';
import type { Command } from '../command.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Counts of stored, duplicate and quarantined events, and ingest offsets',
  usage: 'status [--json]',
  options: { json: { type: 'boolean', description: 'Print one JSON object (eventsTotal, events, duplicatesTotal, quarantinedTotal, quarantined, offsets)' } },
  async run(context) {
    const database = await openDatabase({ path: context.config.database });
    try {
      const connection = await database.connect();
      const status = { database: context.config.database, ...(await readIngestStatus(connection)) };
      if (context.options['json'] === true) {
        context.stdout.write(`${JSON.stringify(status)}\n`);
        return 0;
      }
      const lines = [
        `database        ${status.database} (schema v${status.schemaVersion})`,
        `events          ${status.eventsTotal}`,
        ...Object.entries(status.events).map(([type, count]) => `  ${type.padEnd(18)} ${count}`),
        `duplicates      ${status.duplicatesTotal}`,
        `quarantined     ${status.quarantinedTotal}`,
        ...Object.entries(status.quarantined).map(([code, count]) => `  ${code.padEnd(32)} ${count}`),
        `offsets`,
        ...status.offsets.map((offset) => `  ${offset.topic}[${offset.partition}] next ${offset.nextOffset}`),
      ];
      context.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      database.close();
    }
  },
};
