/**
 * The restart after a SIGKILL, in a fresh process: open the database (WAL replay, migrations), what
 * `retour serve` does first (abandoned job runs), then every indexed table checked, the quality, ops
 * and risk jobs run again, a CHECKPOINT, and the tables checked once more. Also what "loses and
 * duplicates nothing" means for the stream: every line below the stored offset is an event or a
 * quarantined message, and each API decision is whole (event, fact, audit row and outbox row).
 *
 * Usage: node bin/run-ts.mjs scripts/crash-stress/check-after-crash.ts DB [--keep-wal]
 * --keep-wal: no CHECKPOINT, and none at close either, so the next run replays this process's
 * commits too — as `retour serve` restarted again and again before its 1 GB checkpoint threshold.
 * stdout: one JSON line, { ok, failures: [{ step, message }], tables, … }; exit 1 when not ok. A
 * DuckDB FatalException may also end this process: the parent reports its exit and stderr then.
 */
import pino from 'pino';
import { configWith } from '../../config/load-config.ts';
import { JOBS } from '../../jobs/job-registry.ts';
import { runJob } from '../../jobs/run-job.ts';
import { checkDatabase, checkIndexes } from '../../store/check-database.ts';
import { failAbandonedJobRuns } from '../../store/job-runs.ts';
import { openDatabase } from '../../store/open-database.ts';
import { STREAM_TOPIC } from './stress-topics.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: check-after-crash.ts DB [--keep-wal]');
const keepWal = process.argv[3] === '--keep-wal';
const failures: { step: string; message: string }[] = [];
const messageOf = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof Error && error.cause instanceof Error && !message.includes(error.cause.message) ? `${message} (cause: ${error.cause.message})` : message;
};

/** Lines of the stream that left a trace: stored, counted as a re-sent duplicate, or quarantined. */
const KEPT_LINES = `SELECT kafka_offset FROM events WHERE topic = $topic UNION ALL SELECT kafka_offset FROM ingest_duplicates WHERE topic = $topic
  UNION ALL SELECT kafka_offset FROM quarantine WHERE topic = $topic`;
const result: Record<string, unknown> = {};
let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
try {
  database = await openDatabase({ path });
} catch (error: unknown) {
  failures.push({ step: 'open', message: messageOf(error) });
}
if (database !== undefined) {
  const connection = await database.connect();
  // What ingest sets in `retour serve` (writerSettingsFromConfig): no checkpoint before 1 GB of WAL.
  await connection.run("SET checkpoint_threshold = '1GB'");
  const step = async (name: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (error: unknown) {
      failures.push({ step: name, message: messageOf(error) });
      await connection.run('ROLLBACK').catch(() => undefined);
    }
  };
  await step('abandoned job runs', () => failAbandonedJobRuns(connection, new Date()));
  // What `retour check` checks (indexes, offsets, entities once, decisions whole): any finding that is not ok fails here.
  await step('database after reopen', async () => {
    const report = await checkDatabase(connection);
    result['tables'] = report.findings.filter((finding) => finding.check.startsWith('index ')).length;
    result['decisions'] = report.findings.find((finding) => finding.check === 'decisions')?.detail;
    for (const finding of report.findings) if (finding.status !== 'ok') failures.push({ step: `after reopen: ${finding.check}`, message: finding.detail });
  });
  await step('stream complete', async () => {
    const row = (
      await connection.runAndReadAll(
        `SELECT coalesce((SELECT next_offset FROM ingest_offsets WHERE topic = $topic AND kafka_partition = 0), 0)::BIGINT,
           (SELECT count(DISTINCT kafka_offset) FROM (${KEPT_LINES}))::BIGINT,
           (SELECT count(*) FROM events WHERE topic = $topic)::BIGINT,
           (SELECT coalesce(max(kafka_offset) + 1, 0) FROM (${KEPT_LINES}))::BIGINT`,
        { topic: STREAM_TOPIC },
      )
    ).getRows()[0]!;
    const [nextOffset, linesKept, events, beyond] = row.map(Number) as [number, number, number, number];
    result['streamOffset'] = nextOffset;
    result['events'] = events;
    if (linesKept !== nextOffset || beyond !== nextOffset) failures.push({ step: 'stream complete', message: `offset ${nextOffset}, but ${linesKept} lines kept up to offset ${beyond}` });
  });
  const now = new Date(Number((await connection.runAndReadAll("SELECT epoch_ms(coalesce(max(event_time), TIMESTAMPTZ '2025-01-02')) FROM events")).getRows()[0]![0]));
  for (const job of JOBS) {
    await step(`job ${job.name}`, async () => {
      await runJob(job, { connection, config: configWith({ RETOUR_RISK_REVIEW_THRESHOLD: '0.1' }), logger: pino({ level: 'silent' }), now, fullRebuild: false, signal: new AbortController().signal });
    });
  }
  if (keepWal) await connection.run('PRAGMA disable_checkpoint_on_shutdown');
  else {
    await step('checkpoint', async () => {
      await connection.run('CHECKPOINT');
    });
  }
  await step('tables after jobs', async () => {
    const when = keepWal ? 'after jobs:' : 'after jobs and checkpoint:';
    for (const finding of await checkIndexes(connection)) if (finding.status !== 'ok') failures.push({ step: `${when} ${finding.check}`, message: finding.detail });
  });
  database.close();
}
process.stdout.write(`${JSON.stringify({ ok: failures.length === 0, failures, ...result })}\n`);
process.exitCode = failures.length === 0 ? 0 : 1;
