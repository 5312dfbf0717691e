import type { DuckDBConnection } from '@duckdb/node-api';

/** Runs `work` in one transaction on `connection`: COMMIT when it resolves, ROLLBACK (and rethrow) when it throws. */
export async function inTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error: unknown) {
    await connection.run('ROLLBACK');
    throw error;
  }
}
