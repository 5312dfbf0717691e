import { describe, expect, it } from 'vitest';
import { checkIndexedTables, listIndexedTables } from '../../store/check-indexed-tables.ts';
import { openDatabase } from '../../store/open-database.ts';

describe('checkIndexedTables', () => {
  it('lists every table with a key or an index, and finds a healthy database healthy without changing it', async () => {
    const database = await openDatabase({ path: ':memory:' });
    try {
      const connection = await database.connect();
      await connection.run("INSERT INTO ingest_offsets VALUES ('t', 0, 5, now()), ('t', 1, 7, now())");
      await connection.run('CREATE TABLE scratch_pairs (a INTEGER, b VARCHAR, UNIQUE (a, b))');
      await connection.run('CREATE INDEX scratch_pairs_b ON scratch_pairs (b)');
      await connection.run("INSERT INTO scratch_pairs VALUES (1, 'x'), (1, 'y')");
      const tables = await listIndexedTables(connection);
      expect(tables).toContainEqual({ table: 'ingest_offsets', keys: ['topic, kafka_partition'], indexes: [] });
      expect(tables).toContainEqual({ table: 'scratch_pairs', keys: ['a, b'], indexes: ['scratch_pairs_b'] });
      // The tables migration 012 left without indexes are not listed.
      expect(tables.map((table) => table.table)).not.toContain('refund_exceptions');
      const checks = await checkIndexedTables(connection);
      expect(checks.find((check) => check.table === 'scratch_pairs')).toEqual({
        table: 'scratch_pairs', keys: ['a, b'], indexes: ['scratch_pairs_b'], rows: 2, duplicateKeys: 0, keysMissingFromIndex: 0, error: null,
      });
      expect(checks.filter((check) => check.error !== null || check.duplicateKeys > 0 || check.keysMissingFromIndex > 0)).toEqual([]);
      // The re-insert and the delete were rolled back.
      expect(Number((await connection.runAndReadAll('SELECT count(*) FROM ingest_offsets')).getRows()[0]![0])).toBe(2);
    } finally {
      database.close();
    }
  });
});
