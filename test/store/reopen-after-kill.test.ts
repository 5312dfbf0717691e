/**
 * A process killed before DuckDB's next checkpoint — with what it committed only in the
 * write-ahead log — must leave a database that opens again, with those commits. DuckDB 1.5.6 cannot
 * replay some statements from its WAL (an ALTER TABLE … ADD COLUMN on a table with a nextval()
 * default failed with "GetDefaultDatabase with no default database set", duckdb/duckdb#18259); these
 * tests catch a migration or a job statement that would leave a database unopenable after a crash.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEventBatchWriter, type RawMessage } from '../../ingest/ingest-batch.ts';
import { importMessages } from '../../ingest/import-messages.ts';
import { simulateMarketplace } from '../../simulator/simulate-marketplace.ts';
import { listMigrations } from '../../store/migrate.ts';
import { openDatabase } from '../../store/open-database.ts';

const root = join(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-migrations-kill-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('migrations, jobs and a crash', () => {
  it('a database whose migrations are only in the WAL opens after SIGKILL', async () => {
    const path = join(directory, 'retour.duckdb');
    const child = spawnSync(process.execPath, [join(root, 'bin/run-ts.mjs'), join(import.meta.dirname, 'fixtures/open-database-and-die.ts'), path], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    // Killed before any checkpoint: the migrations are in the write-ahead log, not the file.
    expect(statSync(`${path}.wal`).size).toBeGreaterThan(0);
    const database = await openDatabase({ path });
    try {
      expect(database.schemaVersion).toBe(listMigrations().at(-1)?.version);
    } finally {
      database.close();
    }
  });

  it('what the three jobs committed survives a SIGKILL before the checkpoint, and the database opens', async () => {
    const path = join(directory, 'jobs.duckdb');
    const simulation = simulateMarketplace({ seed: 17, days: 120, customers: 1500 });
    const prepared = await openDatabase({ path });
    try {
      const writer = await createEventBatchWriter(await prepared.connect());
      const messages = [...simulation.events()].map((event, offset): RawMessage => ({ topic: 'test:jobs', partition: 0, offset, value: JSON.stringify(event) }));
      const imported = await importMessages(writer, messages, { batchSize: 5000, maxEventBytes: 1 << 20 });
      expect(imported.stored).toBeGreaterThan(1000);
      writer.close();
    } finally {
      prepared.close();
    }
    const now = simulation.truth().endDate;
    const child = spawnSync(process.execPath, [join(root, 'bin/run-ts.mjs'), join(import.meta.dirname, 'fixtures/run-jobs-and-die.ts'), path, now], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const written = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(written['customer_scores']).toBeGreaterThan(0);
    expect(written['quality_weekly']).toBeGreaterThan(0);
    expect(statSync(`${path}.wal`).size).toBeGreaterThan(0);
    const reopened = await openDatabase({ path });
    try {
      const connection = await reopened.connect();
      for (const [table, rows] of Object.entries(written)) {
        expect(Number((await connection.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0]![0]), table).toBe(rows);
      }
    } finally {
      reopened.close();
    }
  }, 180_000);
});
