import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeRingAggregates } from '../../../store/risk/customer-rings.ts';
import type { Database } from '../../../store/open-database.ts';
import { openRiskTestDatabase } from './open-risk-test-database.ts';

let database: Database;
let connection: DuckDBConnection;
beforeEach(async () => {
  database = await openRiskTestDatabase();
  connection = await database.connect();
});
afterEach(() => database.close());

const ringIds = async (): Promise<string[]> => (await connection.runAndReadAll('SELECT ring_id FROM customer_rings ORDER BY ring_id')).getRows().map((row) => String(row[0]));

describe('writeRingAggregates', () => {
  it('replaces the rings from the members', async () => {
    await connection.run(`INSERT INTO customer_rings VALUES ('ring_old', 2, 0, 0, 0, NULL, '2026-11-01T00:00:00Z')`);
    await connection.run(`INSERT INTO customer_ring_members VALUES ('cus_1', 'ring_cus_1'), ('cus_2', 'ring_cus_1')`);
    expect(await writeRingAggregates(connection, new Date('2026-11-20T00:00:00Z'))).toBe(1);
    expect(await ringIds()).toEqual(['ring_cus_1']);
  });

  it('keeps the previous rings when the new ones cannot be written (one transaction, not a DELETE that commits alone)', async () => {
    await connection.run(`INSERT INTO customer_rings VALUES ('ring_old', 2, 0, 0, 0, NULL, '2026-11-01T00:00:00Z')`);
    await connection.run(`INSERT INTO customer_ring_members VALUES ('cus_1', 'ring_cus_1')`);
    // The INSERT reads the features: without them it fails after the DELETE.
    await connection.run('ALTER TABLE customer_features RENAME TO customer_features_away');
    await expect(writeRingAggregates(connection, new Date('2026-11-20T00:00:00Z'))).rejects.toThrow(/customer_features/);
    expect(await ringIds()).toEqual(['ring_old']);
  });
});
