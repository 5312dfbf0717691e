import type { DuckDBConnection } from '@duckdb/node-api';
import { COUNT_REPEATED_OCCURRENCES, ENTITY_KEYS, OCCURRENCE_KEYS } from './event-fact-statements.ts';

/** What one table with a PRIMARY KEY, UNIQUE constraint or CREATE INDEX looked like. */
export interface IndexedTableCheck {
  readonly table: string;
  /** Each key the table enforces (PRIMARY KEY / UNIQUE columns), e.g. ['topic, kafka_partition']. */
  readonly keys: readonly string[];
  /** Indexes made with CREATE INDEX. */
  readonly indexes: readonly string[];
  readonly rows: number;
  /** Rows beyond the first with the same key, summed over the keys (0 when the keys hold). */
  readonly duplicateKeys: number;
  /** Rows whose key the unique index does not know: re-inserting them was not refused (0 when it agrees). */
  readonly keysMissingFromIndex: number;
  /** The error of the first failed step, verbatim (DuckDB's text), or null. */
  readonly error: string | null;
}

const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Tables of the main schema with their keys and explicit indexes, from DuckDB's catalog. */
export async function listIndexedTables(connection: DuckDBConnection): Promise<{ table: string; keys: string[]; indexes: string[] }[]> {
  const reader = await connection.runAndReadAll(`
    WITH keys AS (
      SELECT table_name, list(array_to_string(constraint_column_names, ', ') ORDER BY constraint_index) AS keys
      FROM duckdb_constraints() WHERE database_name = current_database() AND schema_name = 'main' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')
      GROUP BY table_name
    ), indexes AS (
      SELECT table_name, list(index_name ORDER BY index_name) AS indexes
      FROM duckdb_indexes() WHERE database_name = current_database() AND schema_name = 'main' GROUP BY table_name
    )
    SELECT table_name, coalesce(k.keys, []), coalesce(i.indexes, [])
    FROM keys k FULL JOIN indexes i USING (table_name) ORDER BY table_name`);
  return reader.getRowsJS().map((row) => ({ table: String(row[0]), keys: (row[1] as unknown[]).map(String), indexes: (row[2] as unknown[]).map(String) }));
}

/**
 * Checks that the rows and the indexes of every indexed table agree, without changing anything:
 * no key twice; every row's key refused when inserted again (`INSERT OR IGNORE` of the table into
 * itself inserts only rows the index does not know); every row deletable from the indexes (a DELETE
 * of all rows, rolled back — DuckDB's "Failed to delete all rows from index" shows here). An index
 * that disagrees with its rows after a crash can end the process with a FatalException on the
 * next write; this check is meant for a database that may be broken, in a process that may die.
 */
export async function checkIndexedTables(connection: DuckDBConnection): Promise<IndexedTableCheck[]> {
  const checks: IndexedTableCheck[] = [];
  for (const { table, keys, indexes } of await listIndexedTables(connection)) {
    const name = quoted(table);
    let rows = 0;
    let duplicateKeys = 0;
    let keysMissingFromIndex = 0;
    let error: string | null = null;
    try {
      rows = Number((await connection.runAndReadAll(`SELECT count(*)::BIGINT FROM ${name}`)).getRows()[0]![0]);
      for (const key of keys) {
        duplicateKeys += Number((await connection.runAndReadAll(`SELECT (count(*) - count(DISTINCT (${key})))::BIGINT FROM ${name}`)).getRows()[0]![0]);
      }
      await connection.run('BEGIN TRANSACTION');
      try {
        if (keys.length > 0) {
          keysMissingFromIndex = (await connection.runAndReadAll(`INSERT OR IGNORE INTO ${name} SELECT * FROM ${name} RETURNING 1`)).getRows().length;
        }
        await connection.run(`DELETE FROM ${name}`);
      } finally {
        await connection.run('ROLLBACK');
      }
    } catch (caught: unknown) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    checks.push({ table, keys, indexes, rows, duplicateKeys, keysMissingFromIndex, error });
  }
  return checks;
}

/** One entity fact table (orders, return_requests, refunds, claims, risk_decisions) checked by its entity id. */
export interface EntityKeyCheck {
  readonly table: string;
  readonly column: string;
  readonly rows: number;
  /** Rows beyond the first with the same entity id (0 when every entity is stored once). */
  readonly repeatedKeys: number;
}

/**
 * Counts entities stored more than once in the tables whose rows ingest keeps unique by entity id
 * (ENTITY_KEYS; these tables have no index to enforce it). A database written before that check may
 * hold repeats; ingest itself adds none. One scan of each key column.
 */
export async function checkEntityKeys(connection: DuckDBConnection): Promise<EntityKeyCheck[]> {
  const checks: EntityKeyCheck[] = [];
  for (const { table, column } of ENTITY_KEYS) {
    const [rows, distinct] = (await connection.runAndReadAll(`SELECT count(*)::BIGINT, count(DISTINCT ${quoted(column)})::BIGINT FROM ${quoted(table)}`)).getRows()[0]!.map(Number);
    checks.push({ table, column, rows: rows!, repeatedKeys: rows! - distinct! });
  }
  return checks;
}

/** One type that repeats per order or return (deliveries, receipts, …) checked for re-sends under new ids. */
export interface OccurrenceRepeatCheck {
  readonly eventType: string;
  readonly events: number;
  /** Stored events whose `data` equals that of another stored event of the type, beyond the first (0 when none). */
  readonly repeatedData: number;
}

/**
 * Counts the events of the types that repeat per order or return (OCCURRENCE_KEYS) stored with the
 * same `data` as another of their type: re-sends under a new id, which a database written before
 * ingest checked them may hold; ingest itself adds none. One read of those events' payloads.
 */
export async function checkOccurrenceRepeats(connection: DuckDBConnection): Promise<OccurrenceRepeatCheck[]> {
  const counts = new Map((await connection.runAndReadAll(COUNT_REPEATED_OCCURRENCES)).getRows().map(([eventType, events, repeatedData]) => [String(eventType), [Number(events), Number(repeatedData)]]));
  // In the order of OCCURRENCE_KEYS (UNION ALL promises none).
  return OCCURRENCE_KEYS.map(({ eventType }) => ({ eventType, events: counts.get(eventType)![0]!, repeatedData: counts.get(eventType)![1]! }));
}
