import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { RetourError } from '../domain/errors/retour-error.ts';
import { migrate, type MigrationResult } from './migrate.ts';

export interface Database {
  readonly path: string;
  readonly instance: DuckDBInstance;
  readonly schemaVersion: number;
  /** A new connection on the same instance (ingest, jobs and the API each take their own). */
  connect(): Promise<DuckDBConnection>;
  /** Closes every connection made through `connect` and the instance; closing twice is harmless. */
  close(): void;
}

export interface OpenDatabaseOptions {
  /** File path, or ':memory:' for unit tests. */
  path: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** DuckDB settings, e.g. { threads: '2', memory_limit: '2GB' }. */
  settings?: Record<string, string>;
}

const LOCK_HELD = /Conflicting lock is held in (.*?) \(PID (\d+)\)/;

/**
 * Opens (and migrates) the DuckDB database. A file held by another process fails with
 * RETOUR_DB_IN_USE naming that process, instead of DuckDB's raw IO error.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database & { migration: MigrationResult | undefined }> {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(options.path, options.settings ?? {});
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    const lock = LOCK_HELD.exec(message);
    if (lock !== null) {
      throw new RetourError(
        'RETOUR_DB_IN_USE',
        `database ${options.path} is in use by PID ${lock[2]} (${lock[1]}); only one process may write it — stop that process or point RETOUR_DATABASE elsewhere`,
        { cause: error, details: { pid: Number(lock[2]), path: options.path } },
      );
    }
    throw new RetourError('RETOUR_DB_FAILED', `cannot open database ${options.path}: ${message}`, { cause: error });
  }
  const connections: DuckDBConnection[] = [];
  let closed = false;
  // TIMESTAMPTZ arithmetic and casts (+ INTERVAL 14 DAY, ::DATE, date_trunc) follow the session's time
  // zone, which DuckDB takes from the server's TZ: across a daylight-saving change "14 days after a
  // refund" was an hour later on a server in Chile than in UTC. Facts and windows are UTC everywhere.
  await useUtc(instance).catch((error: unknown) => {
    instance.closeSync();
    throw new RetourError('RETOUR_DB_FAILED', `cannot set database ${options.path} to UTC: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  const connect = async (): Promise<DuckDBConnection> => {
    if (closed) throw new RetourError('RETOUR_DB_FAILED', `database ${options.path} is closed`);
    const connection = await instance.connect();
    connections.push(connection);
    return connection;
  };
  let migration: MigrationResult | undefined;
  let schemaVersion = 0;
  if (options.migrate !== false) {
    const connection = await connect();
    try {
      migration = await migrate(connection);
      schemaVersion = migration.version;
    } catch (error: unknown) {
      connection.closeSync();
      instance.closeSync();
      throw error;
    }
  }
  return {
    path: options.path,
    instance,
    schemaVersion,
    migration,
    connect,
    close() {
      if (closed) return;
      closed = true;
      for (const connection of connections) connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Sets the instance's time zone to UTC for every connection, present and future. */
async function useUtc(instance: DuckDBInstance): Promise<void> {
  const connection = await instance.connect();
  try {
    await connection.run("SET GLOBAL TimeZone = 'UTC'");
  } finally {
    connection.closeSync();
  }
}
