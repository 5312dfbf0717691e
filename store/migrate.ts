import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { RetourError } from '../domain/errors/retour-error.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The numbered migrations shipped with this version, in order (`NNN-name.sql`). */
export function listMigrations(directory: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(directory)
    .filter((file) => /^\d{3}-[a-z0-9-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), sql: readFileSync(join(directory, file), 'utf8') }));
}

export interface MigrationResult {
  applied: number[];
  version: number;
}

/**
 * Applies pending migrations, each in its own transaction. A database whose schema version is newer
 * than the newest migration this code knows is refused (RETOUR_DB_TOO_NEW) and left untouched.
 */
export async function migrate(connection: DuckDBConnection, migrations: Migration[] = listMigrations()): Promise<MigrationResult> {
  await connection.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  const reader = await connection.runAndReadAll('SELECT coalesce(max(version), 0)::INTEGER AS version FROM schema_migrations');
  const current = Number(reader.getRowObjectsJS()[0]?.['version'] ?? 0);
  const newestKnown = migrations.at(-1)?.version ?? 0;
  if (current > newestKnown) {
    throw new RetourError(
      'RETOUR_DB_TOO_NEW',
      `the database has schema version ${current}, newer than this Retour knows (${newestKnown}); upgrade Retour or use another RETOUR_DATABASE`,
      { details: { databaseVersion: current, knownVersion: newestKnown } },
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    await connection.run('BEGIN TRANSACTION');
    try {
      await connection.run(migration.sql);
      await connection.run('INSERT INTO schema_migrations (version, name) VALUES ($version, $name)', {
        version: migration.version,
        name: migration.name,
      });
      await connection.run('COMMIT');
    } catch (error: unknown) {
      await connection.run('ROLLBACK');
      throw new RetourError('RETOUR_DB_FAILED', `migration ${migration.version} (${migration.name}) failed: ${String(error)}`, { cause: error });
    }
    applied.push(migration.version);
  }
  return { applied, version: Math.max(current, ...applied) };
}
