import { describe, expect, it } from 'vitest';
import { checkEntityKeys, checkIndexedTables, checkOccurrenceRepeats, listIndexedTables } from '../../store/check-indexed-tables.ts';
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

describe('checkEntityKeys', () => {
  it('counts the rows that repeat an entity id in each entity table', async () => {
    const database = await openDatabase({ path: ':memory:' });
    try {
      const connection = await database.connect();
      // As a database written before ingest checked entity ids could hold them: one order under two events.
      await connection.run(`INSERT INTO orders (order_id, customer_id, placed_at, currency, event_id)
        VALUES ('o1', 'c', now(), 'EUR', 'e1'), ('o1', 'c', now(), 'EUR', 'e2'), ('o2', 'c', now(), 'EUR', 'e3')`);
      await connection.run(`INSERT INTO claims VALUES ('c1', 'o1', 'c', now(), 'not_received', 'e4')`);
      const checks = await checkEntityKeys(connection);
      expect(checks.map((check) => check.table)).toEqual(['orders', 'return_requests', 'refunds', 'claims', 'risk_decisions']);
      expect(checks.find((check) => check.table === 'orders')).toEqual({ table: 'orders', column: 'order_id', rows: 3, repeatedKeys: 1 });
      expect(checks.filter((check) => check.table !== 'orders').map((check) => check.repeatedKeys)).toEqual([0, 0, 0, 0]);
    } finally {
      database.close();
    }
  });
});

describe('checkOccurrenceRepeats', () => {
  it('counts the events of each repeating type whose data another stored event of the type holds, key order and white space ignored', async () => {
    const database = await openDatabase({ path: ':memory:' });
    try {
      const connection = await database.connect();
      const event = (id: string, type: string, data: string) =>
        `('${id}', '${type}', 'test', 's', now(), NULL, '{"id":"${id}","type":"${type}","data":${data}}', 't', 0, 0, now())`;
      // As a database written before ingest checked them could hold: one inspection three times (once
      // with its keys in another order), a re-inspection at another time, and two partial deliveries.
      await connection.run(`INSERT INTO events VALUES
        ${event('i1', 'return.inspected', '{"returnId":"r1","inspectedAt":"2026-03-08T10:00:00Z","lines":[{"lineId":"l1","condition":"A_new","disposition":"restock"}]}')},
        ${event('i2', 'return.inspected', '{"returnId":"r1","inspectedAt":"2026-03-08T10:00:00Z","lines":[{"lineId":"l1","condition":"A_new","disposition":"restock"}]}')},
        ${event('i3', 'return.inspected', '{ "lines": [{"disposition":"restock","condition":"A_new","lineId":"l1"}], "inspectedAt":"2026-03-08T10:00:00Z", "returnId":"r1"}')},
        ${event('i4', 'return.inspected', '{"returnId":"r1","inspectedAt":"2026-03-09T10:00:00Z","lines":[{"lineId":"l1","condition":"A_new","disposition":"restock"}]}')},
        ${event('d1', 'order.delivered', '{"orderId":"o1","customerId":"c","deliveredAt":"2026-03-03T10:00:00Z","lineIds":["l1"]}')},
        ${event('d2', 'order.delivered', '{"orderId":"o1","customerId":"c","deliveredAt":"2026-03-03T10:00:00Z","lineIds":["l2"]}')}`);
      const checks = await checkOccurrenceRepeats(connection);
      expect(checks).toEqual([
        { eventType: 'order.delivered', events: 2, repeatedData: 0 },
        { eventType: 'return.received', events: 0, repeatedData: 0 },
        { eventType: 'return.inspected', events: 4, repeatedData: 2 },
        { eventType: 'return.closed', events: 0, repeatedData: 0 },
        { eventType: 'return.feedback', events: 0, repeatedData: 0 },
      ]);
    } finally {
      database.close();
    }
  });
});
