import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../../store/migrate.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';
import { readFaultRequestHours } from '../../../store/quality/read-fault-request-hours.ts';

let database: Database;
let connection: DuckDBConnection;
beforeEach(async () => {
  database = await openDatabase({ path: ':memory:', migrate: false });
  connection = await database.connect();
  await migrate(connection, listMigrations().filter((migration) => migration.version === 1));
  // the quality job's run table of product-fault reasons (prepareQualityRun)
  await connection.run("CREATE TEMP TABLE q_fault_reasons AS SELECT * FROM (VALUES ('quality.defective'), ('description.not_as_described')) t(reason)");
});
afterEach(() => database.close());

async function line(order: string, lineId: string, category: string, quantity: number): Promise<void> {
  await connection.run(`INSERT INTO order_lines VALUES ($order, $line, 'c1', 'P1', 's1', $category, $quantity, 1000, 'EUR', NULL, NULL, '2026-02-25T08:00:00Z', 'e')`, {
    order,
    line: lineId,
    category,
    quantity,
  });
}
async function delivery(order: string, lineId: string | null, at: string): Promise<void> {
  await connection.run('INSERT INTO deliveries VALUES ($order, $customer, $line, $at::TIMESTAMPTZ, $event)', { order, customer: 'c1', line: lineId, at, event: 'e' });
}
async function returned(order: string, lineId: string, reason: string, quantity: number, at: string): Promise<void> {
  await connection.run(`INSERT INTO return_lines VALUES ('r_' || $order || $line || $at, $order, 'c1', $line, 'P1', $quantity, $reason, NULL, $at::TIMESTAMPTZ, 'e')`, {
    order,
    line: lineId,
    quantity,
    reason,
    at,
  });
}

describe('readFaultRequestHours', () => {
  it('counts product-fault return units by category and hour after midnight of the first delivery day, within the horizon and by now', async () => {
    await line('o1', 'l1', 'home', 2);
    await delivery('o1', null, '2026-03-02T10:00:00Z'); // whole-order delivery
    await returned('o1', 'l1', 'quality.defective', 2, '2026-03-04T12:30:00Z'); // 2 days 12.5 h after midnight: hour 60
    await returned('o1', 'l1', 'fit.too_small', 1, '2026-03-04T12:30:00Z'); // not a product fault
    await line('o2', 'l1', 'toys', 1);
    await delivery('o2', null, '2026-03-06T09:00:00Z');
    await delivery('o2', 'l1', '2026-03-03T23:00:00Z'); // an earlier line-level delivery is the first: day 2026-03-03
    await returned('o2', 'l1', 'description.not_as_described', 1, '2026-03-04T01:15:00Z'); // hour 25
    await line('o3', 'l1', 'home', 1);
    await delivery('o3', null, '2026-03-02T10:00:00Z');
    await returned('o3', 'l1', 'quality.defective', 1, '2026-03-10T10:00:01Z'); // beyond 7 days of delivery
    await line('o4', 'l1', 'home', 1);
    await delivery('o4', null, '2026-03-09T10:00:00Z'); // delivered outside [start, end)
    await returned('o4', 'l1', 'quality.defective', 1, '2026-03-10T10:00:00Z');
    await line('o5', 'l1', 'home', 1);
    await delivery('o5', null, '2026-03-05T10:00:00Z');
    await returned('o5', 'l1', 'quality.defective', 1, '2026-03-12T09:00:00Z'); // after now

    const rows = await readFaultRequestHours(connection, { start: '2026-03-01', end: '2026-03-08', now: new Date('2026-03-12T00:00:00Z'), detectionDays: 7 });
    expect(rows).toEqual([
      { category: 'home', hour: 60, units: 2 },
      { category: 'toys', hour: 25, units: 1 },
    ]);
  });
});
