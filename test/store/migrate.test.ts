import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listMigrations } from '../../store/migrate.ts';
import { openDatabase } from '../../store/open-database.ts';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('migrations', () => {
  it('start at 001 and have unique, increasing numbers', () => {
    const versions = listMigrations().map((migration) => migration.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  });

  it('apply once, and a second open applies nothing', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'retour-migrate-'));
    directories.push(directory);
    const path = join(directory, 'retour.duckdb');
    const first = await openDatabase({ path });
    expect(first.migration?.applied.length).toBe(listMigrations().length);
    first.close();
    first.close(); // closing twice is harmless
    const second = await openDatabase({ path });
    expect(second.migration?.applied).toEqual([]);
    expect(second.schemaVersion).toBe(listMigrations().at(-1)!.version);
    second.close();
  });

  it('refuse a database written by a newer version and leave it untouched', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'retour-migrate-'));
    directories.push(directory);
    const path = join(directory, 'retour.duckdb');
    const database = await openDatabase({ path });
    const connection = await database.connect();
    await connection.run("INSERT INTO schema_migrations (version, name) VALUES (999, 'from-the-future')");
    database.close();
    await expect(openDatabase({ path })).rejects.toMatchObject({
      code: 'RETOUR_DB_TOO_NEW',
      message: expect.stringMatching(/schema version 999, newer than this Retour knows/),
    });
  });
});
