/**
 * A process killed right after the migrations ran — before DuckDB's next checkpoint, with every
 * migration only in the write-ahead log — must leave a database that opens again. DuckDB 1.4 cannot
 * replay some DDL from its WAL (an ALTER TABLE … ADD COLUMN on a table with a nextval() default
 * failed with "GetDefaultDatabase with no default database set"); this catches a migration that
 * would brick a database on the next crash.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../../store/migrate.ts';
import { openDatabase } from '../../store/open-database.ts';

const root = join(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-migrations-kill-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('migrations and a crash', () => {
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
});
