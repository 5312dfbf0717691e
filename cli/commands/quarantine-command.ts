import { QUARANTINE_ERROR_CODES } from '../../domain/errors/error-catalogue.ts';
import { isRfc3339DateTime } from '../../domain/events/date-time-format.ts';
import { openDatabase } from '../../store/open-database.ts';
import { readQuarantinePage, type QuarantineQuery } from '../../store/read-quarantined-messages.ts';
import type { Command } from '../command.ts';

const USAGE = 'quarantine list [--code CODE] [--topic TOPIC] [--type EVENT_TYPE] [--since TIME] [--limit N] [--json] [--full]';
/** Characters of each message shown in the text listing. */
const TEXT_PREVIEW_CHARS = 160;
/** Bytes of each message in --json lines without --full (as the API returns). */
const JSON_PREVIEW_BYTES = 4096;

/** `retour quarantine list`: the messages ingest refused, newest first, with the reason and where. */
export const quarantineCommand: Command = {
  name: 'quarantine',
  summary: 'List the messages ingest refused, with the error code, where in the event and why',
  whileServing: 'While retour serve runs, an ops or admin key reads this over HTTP: GET /v1/quarantine',
  usage: USAGE,
  options: {
    code: { type: 'string', valueName: 'CODE', description: `Only this error code: ${QUARANTINE_ERROR_CODES.join(', ')}` },
    topic: { type: 'string', valueName: 'TOPIC', description: 'Only messages from this topic (import:FILE for `retour import`)' },
    type: { type: 'string', valueName: 'EVENT_TYPE', description: 'Only messages whose envelope named this event type' },
    since: { type: 'string', valueName: 'TIME', description: 'Only messages quarantined at or after this RFC 3339 time' },
    limit: { type: 'string', valueName: 'N', description: 'At most N messages (default 20)' },
    json: { type: 'boolean', description: 'One JSON object per message (raw cut to 4096 bytes unless --full)' },
    full: { type: 'boolean', description: 'With --json: the whole raw message' },
  },
  details: 'The counts per code are in `retour status`; the same listing is served at GET /v1/quarantine (ops and admin keys). Codes: docs/errors.md.',
  async run(context) {
    const [action, ...rest] = context.positionals;
    const fail = (message: string): number => {
      context.stderr.write(`retour quarantine: ${message} (RETOUR_USAGE)\nusage: retour ${USAGE}\n`);
      return 2;
    };
    if (action !== 'list' || rest.length > 0) return fail(action === undefined ? 'name an action' : `unknown action ${JSON.stringify([action, ...rest].join(' '))}`);
    const option = (name: string): string | undefined => {
      const value = context.options[name];
      return typeof value === 'string' ? value : undefined;
    };
    const code = option('code');
    if (code !== undefined && !(QUARANTINE_ERROR_CODES as readonly string[]).includes(code)) return fail(`--code must be one of ${QUARANTINE_ERROR_CODES.join(', ')}; got ${JSON.stringify(code)}`);
    const limitText = option('limit') ?? '20';
    const limit = Number(limitText);
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= 100_000)) return fail(`--limit must be an integer from 1 to 100000; got ${JSON.stringify(limitText)}`);
    const since = option('since');
    if (since !== undefined && !isRfc3339DateTime(since)) return fail(`--since must be an RFC 3339 time with zone, e.g. 2025-05-01T00:00:00Z; got ${JSON.stringify(since)}`);
    const topic = option('topic');
    const eventType = option('type');
    const json = context.options['json'] === true;
    if (context.options['full'] === true && !json) return fail('--full goes with --json (the text listing always shows a preview)');
    const query: QuarantineQuery = {
      limit,
      ...(code === undefined ? {} : { errorCode: code }),
      ...(topic === undefined ? {} : { topic }),
      ...(eventType === undefined ? {} : { eventType }),
      ...(since === undefined ? {} : { since: new Date(since).toISOString() }),
      ...(json && context.options['full'] === true ? {} : { previewBytes: json ? JSON_PREVIEW_BYTES : TEXT_PREVIEW_CHARS * 4 }),
    };
    const database = await openDatabase({ path: context.config.database });
    try {
      const page = await readQuarantinePage(await database.connect(), query);
      if (json) {
        for (const entry of page.entries) context.stdout.write(`${JSON.stringify(entry)}\n`);
        return 0;
      }
      if (page.entries.length === 0) {
        context.stdout.write('No quarantined messages match.\n');
        return 0;
      }
      for (const entry of page.entries) {
        // Ingest's messages start with the JSON path already; name it only when one does not.
        const where = entry.jsonPath === '' || entry.message.startsWith(entry.jsonPath) ? '' : `${entry.jsonPath}: `;
        // One line per message in the preview: control characters (newlines of pretty-printed JSON) as spaces.
        const flat = entry.raw.replace(/\p{Cc}+/gu, ' ');
        const preview = flat.length > TEXT_PREVIEW_CHARS || entry.rawTruncated ? `${flat.slice(0, TEXT_PREVIEW_CHARS)}… (${entry.rawBytes} bytes)` : flat;
        context.stdout.write(`#${entry.quarantineId}  ${entry.quarantinedAt}  ${entry.errorCode}  ${entry.topic}/${entry.partition}@${entry.offset}${entry.eventId === null ? '' : `  ${entry.eventId}`}\n`);
        context.stdout.write(`    ${where}${entry.message}\n    ${preview}\n`);
      }
      if (page.hasMore) context.stdout.write(`… more; raise --limit (${limit}) or filter to see them\n`);
      return 0;
    } finally {
      database.close();
    }
  },
};
