/**
 * Prepared statements whose plans do not depend on what the tables held when they were prepared.
 *
 * DuckDB 1.5.6 runs its statistics propagation when a statement is prepared and keeps the result in
 * the reusable plan: the column statistics of prepare time become part of what the statement means.
 * A `WHERE i = 200` prepared while every `i` was below 100 becomes an empty scan and stays one after a
 * 200 is inserted (duckdb/duckdb#23704); a join keeps the build side's old min/max and drops valid
 * matches (#24182); a `coalesce(canonical, text)` prepared while `canonical` held only NULLs reads
 * `text` ever after (scratch test, test/store/prepare-without-statistics.test.ts). Upstream's fix
 * (duckdb/duckdb#24696) skips statistics propagation for prepared plans; no released
 * @duckdb/node-api has it yet, so this does the same from outside: the optimizer pass is switched
 * off while the statement is prepared.
 *
 * `disabled_optimizers` can only be set globally: a statement another connection plans in that
 * window (a few milliseconds, once per prepared statement) is planned without the pass too — still
 * correct, at worst slower.
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

export async function prepareWithoutStatistics(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  await connection.run(`SET GLOBAL disabled_optimizers = 'statistics_propagation'`);
  try {
    return await connection.prepare(sql);
  } finally {
    await connection.run('RESET GLOBAL disabled_optimizers');
  }
}
