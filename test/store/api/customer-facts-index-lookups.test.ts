/**
 * A flag's evidence reads one customer's facts; with migration 015 every such read must be an index
 * lookup, not a scan of the whole fact table (which costs time in proportion to the marketplace:
 * docs/api.md § Read routes on a real-sized database). DuckDB chooses a sequential scan silently
 * when a query is written in a way it cannot look up (two filters on the scan, a LEFT JOIN to the
 * table, a join on two columns), so this test runs each query the flag route makes again with
 * DuckDB's profiler and reads how every fact table was scanned.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RISK_RULE_CODES } from '../../../models/risk/evaluate-risk-rules.ts';
import { readCustomerTimeline } from '../../../store/api/read-customer-evidence.ts';
import { readReasonEvidence } from '../../../store/api/read-reason-evidence.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';
import { insertRiskFacts } from '../risk/insert-risk-facts.ts';

const FACT_TABLES = new Set(['orders', 'order_lines', 'deliveries', 'return_requests', 'return_lines', 'return_receipts', 'inspections', 'refunds', 'return_closures', 'claims', 'return_feedback']);
const AS_OF = '2026-06-01T00:00:00.000Z';

interface CapturedQuery {
  sql: string;
  values: Record<string, DuckDBValue> | undefined;
  types: Record<string, DuckDBType> | undefined;
}

interface ProfileNode {
  operator_name?: string;
  extra_info?: Record<string, unknown>;
  children?: ProfileNode[];
}

let database: Database;
let connection: DuckDBConnection;
let profileDirectory: string;

beforeAll(async () => {
  database = await openDatabase({ path: ':memory:' });
  connection = await database.connect();
  profileDirectory = mkdtempSync(join(tmpdir(), 'retour-index-lookups-'));
  const placedAt = '2026-03-01T00:00:00Z';
  await insertRiskFacts(connection, {
    orders: [
      { orderId: 'o1', customerId: 'c1', placedAt, addressHash: 'a1' },
      { orderId: 'o2', customerId: 'c2', placedAt, addressHash: 'a1' },
      { orderId: 'o3', customerId: 'c3', placedAt },
    ],
    lines: ['l1', 'l2', 'l3'].flatMap((lineId) => [
      { orderId: 'o1', lineId, customerId: 'c1', productId: 'p1', unitPrice: 5000, placedAt },
      { orderId: 'o2', lineId, customerId: 'c2', productId: 'p1', unitPrice: 5000, placedAt },
      { orderId: 'o3', lineId, customerId: 'c3', productId: 'p1', unitPrice: 5000, placedAt },
    ]),
    deliveries: [
      { orderId: 'o1', customerId: 'c1', deliveredAt: '2026-03-03T00:00:00Z' },
      { orderId: 'o2', customerId: 'c2', deliveredAt: '2026-03-03T00:00:00Z' },
    ],
    returns: [
      { returnId: 'r1', orderId: 'o1', customerId: 'c1', requestedAt: '2026-03-20T00:00:00Z', lines: [{ lineId: 'l1', productId: 'p1', reason: 'quality.defective' }] },
      { returnId: 'r2', orderId: 'o1', customerId: 'c1', requestedAt: '2026-03-21T00:00:00Z', lines: [{ lineId: 'l2', productId: 'p1', reason: 'fit.too_small' }] },
      { returnId: 'r3', orderId: 'o2', customerId: 'c2', requestedAt: '2026-03-21T00:00:00Z', lines: [{ lineId: 'l1', productId: 'p1', reason: 'fit.too_small' }] },
    ],
    receipts: [
      { returnId: 'r1', lineId: 'l1', receivedAt: '2026-03-25T00:00:00Z', weightGrams: 100 },
      { returnId: 'r3', lineId: 'l1', receivedAt: '2026-03-25T00:00:00Z', weightGrams: 900 },
    ],
    inspections: [
      { returnId: 'r1', lineId: 'l1', inspectedAt: '2026-03-26T00:00:00Z', condition: 'A_new', fault: 'none_found' },
      { returnId: 'r3', lineId: 'l1', inspectedAt: '2026-03-26T00:00:00Z', condition: 'X_not_declared_item' },
    ],
    refunds: [{ refundId: 'f2', returnId: 'r2', orderId: 'o1', customerId: 'c1', issuedAt: '2026-03-22T00:00:00Z', amount: 5000 }],
    claims: [{ claimId: 'k1', orderId: 'o1', customerId: 'c1', openedAt: '2026-03-10T00:00:00Z', kind: 'not_received' }],
  });
  // DuckDB scans an empty table rather than look it up: every fact table the reads touch has rows.
  await connection.run(`INSERT INTO return_closures VALUES ('r1', '2026-03-27T00:00:00Z', 'refunded', 'e'), ('r3', '2026-03-27T00:00:00Z', 'refunded', 'e')`);
  await connection.run(`INSERT INTO return_feedback VALUES ('r1', 'c1', '2026-03-28T00:00:00Z', 4, NULL, 'e'), ('r3', 'c2', '2026-03-28T00:00:00Z', 2, NULL, 'e')`);
  await connection.run(`INSERT INTO customer_ring_members VALUES ('c1', 'ring1'), ('c2', 'ring1')`);
  // The run's kept product weights, so the evidence uses them (computing them again is a read of
  // every parcel by design, for reasons of runs that did not keep them).
  await connection.run(`INSERT INTO risk_product_weights VALUES ($asOf::TIMESTAMPTZ, 'p1', 900)`, { asOf: AS_OF });
});

afterAll(async () => {
  connection.closeSync();
  await database.close();
  rmSync(profileDirectory, { recursive: true, force: true });
});

/** Every query `read` makes on the connection, with its parameters. */
async function queriesOf(read: (recording: DuckDBConnection) => Promise<unknown>): Promise<CapturedQuery[]> {
  const captured: CapturedQuery[] = [];
  const recording = new Proxy(connection, {
    get(target, property, receiver) {
      if (property === 'runAndReadAll') {
        return (sql: string, values?: Record<string, DuckDBValue>, types?: Record<string, DuckDBType>) => {
          captured.push({ sql, values, types });
          return target.runAndReadAll(sql, values, types);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  await read(recording);
  return captured;
}

/** How each fact table was scanned when the query ran ("Index Scan" or "Sequential Scan"), from DuckDB's profile. */
async function factTableScans(query: CapturedQuery, index: number): Promise<string[]> {
  const output = join(profileDirectory, `query-${index}.json`);
  await connection.run(`PRAGMA enable_profiling = 'json'`);
  await connection.run(`PRAGMA profiling_output = '${output}'`);
  try {
    await connection.runAndReadAll(query.sql, query.values, query.types);
  } finally {
    await connection.run('PRAGMA disable_profiling');
  }
  const scans: string[] = [];
  const walk = (node: ProfileNode): void => {
    const table = String(node.extra_info?.['Table'] ?? '').split('.').at(-1) ?? '';
    if (FACT_TABLES.has(table)) scans.push(`${table}: ${String(node.extra_info?.['Type'])}`);
    for (const child of node.children ?? []) walk(child);
  };
  walk(JSON.parse(readFileSync(output, 'utf8')) as ProfileNode);
  return scans;
}

async function expectOnlyIndexLookups(queries: CapturedQuery[]): Promise<void> {
  let scansSeen = 0;
  for (const [index, query] of queries.entries()) {
    const scans = await factTableScans(query, index);
    scansSeen += scans.length;
    expect(scans.filter((scan) => !scan.endsWith('Index Scan')), query.sql).toEqual([]);
  }
  // The check must have seen the fact tables (a profile without them would pass vacuously).
  expect(scansSeen).toBeGreaterThan(5);
}

describe('reading one customer for a flag', () => {
  it('looks up every fact of the timeline in an index', async () => {
    const queries = await queriesOf((recording) => readCustomerTimeline(recording, { customerId: 'c1', limit: 501 }));
    expect(queries.length).toBeGreaterThan(0);
    await expectOnlyIndexLookups(queries);
  });

  it('looks up every fact behind every reason code, for the customer and for its ring, in an index', async () => {
    const queries = await queriesOf((recording) =>
      readReasonEvidence(recording, { customerId: 'c1', asOf: AS_OF, codes: RISK_RULE_CODES, limit: 50, receiptsReported: true }),
    );
    // The subject lines, inspected lines, weighed parcels, refunds, unshipped returns, claims, for
    // the customer alone and again for the ring.
    expect(queries.length).toBeGreaterThanOrEqual(8);
    await expectOnlyIndexLookups(queries);
  });
});
