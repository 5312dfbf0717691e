/**
 * Which indexed tables do the jobs delete and re-insert under the same key? That is the write
 * pattern of the WAL-replay index bugs (duckdb/duckdb#15836, #24744; an UPDATE of an indexed column
 * is one too, #23645). DuckDB updates a row in place (same rowid) unless it must delete and insert
 * it, so a key that is still there after the jobs with another rowid was deleted and re-inserted.
 *
 * Usage: node bin/run-ts.mjs scripts/crash-stress/find-reinserted-keys.ts DB
 * Runs the quality, ops and risk jobs twice (incremental one day on, then full a week on) on DB —
 * use a copy — and prints per table: keys kept, and how many of them got a new rowid.
 */
import pino from 'pino';
import { configWith } from '../../config/load-config.ts';
import { JOBS } from '../../jobs/job-registry.ts';
import { runJob } from '../../jobs/run-job.ts';
import { listIndexedTables } from '../../store/check-indexed-tables.ts';
import { openDatabase } from '../../store/open-database.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: find-reinserted-keys.ts DB');
const database = await openDatabase({ path });
try {
  const connection = await database.connect();
  const tables = await listIndexedTables(connection);
  // The first key of each table, as one comparable text.
  const keyOf = (keys: readonly string[]): string => `concat_ws(chr(31), ${keys[0]})`;
  for (const { table, keys } of tables) await connection.run(`CREATE TEMP TABLE rowids_before_${table} AS SELECT rowid AS rid, ${keyOf(keys)} AS k FROM ${table}`);
  const newest = Number((await connection.runAndReadAll("SELECT epoch_ms(coalesce(max(event_time), TIMESTAMPTZ '2025-01-02')) FROM events")).getRows()[0]![0]);
  for (const [days, fullRebuild] of [[1, false], [7, true]] as const) {
    for (const job of JOBS) {
      await runJob(job, {
        connection,
        config: configWith({ RETOUR_RISK_REVIEW_THRESHOLD: '0.1' }),
        logger: pino({ level: 'silent' }),
        now: new Date(newest + days * 86_400_000),
        fullRebuild,
        signal: new AbortController().signal,
        publish: async () => undefined,
      });
    }
  }
  for (const { table, keys } of tables) {
    const [moved, kept, rows] = (
      await connection.runAndReadAll(
        `SELECT count(*) FILTER (WHERE b.rid IS NOT NULL AND a.rid <> b.rid)::BIGINT, count(b.rid)::BIGINT, count(*)::BIGINT
         FROM (SELECT rowid AS rid, ${keyOf(keys)} AS k FROM ${table}) a LEFT JOIN rowids_before_${table} b USING (k)`,
      )
    ).getRows()[0]!.map(Number) as [number, number, number];
    console.log(`${table.padEnd(28)} ${String(rows).padStart(8)} rows, ${String(kept).padStart(8)} keys kept, ${String(moved).padStart(8)} of them deleted and re-inserted`);
  }
} finally {
  database.close();
}
