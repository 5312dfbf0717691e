import type { DuckDBConnection } from '@duckdb/node-api';
import { readFeatureMatrix } from './read-feature-matrix.ts';

export interface RingOptions {
  /** Facts from this time on are ignored (the run's "now"). */
  readonly asOf: Date;
  /**
   * A shared value seen on more customers than this (a pick-up point's address, a corporate card) links
   * nobody: it would merge unrelated customers into one giant ring. Default 25.
   */
  readonly maxCustomersPerValue?: number;
}

export interface RingSummary {
  readonly rings: number;
  readonly customersInRings: number;
  readonly largestRing: number;
  readonly links: number;
}

export interface RingEdges {
  /** Customers that share at least one value, numbered 0…customerCount−1. */
  readonly customerCount: number;
  /** One entry per (customer, shared value): the customer's number and the value's number. */
  readonly customerIndex: Float64Array;
  readonly valueIndex: Float64Array;
}

/**
 * Finds the customers who share an `addressHash`, `paymentFingerprint` or `deviceId` on orders placed
 * before `asOf`, numbered for union-find (kept in temporary tables until `writeRings`).
 */
export async function readRingEdges(connection: DuckDBConnection, options: RingOptions): Promise<RingEdges> {
  const maxCustomers = options.maxCustomersPerValue ?? 25;
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE risk_shared_values AS
     WITH pairs AS (
       SELECT DISTINCT customer_id, via, value FROM (
         SELECT customer_id, 'address' AS via, address_hash AS value FROM orders WHERE address_hash IS NOT NULL AND placed_at < $asOf::TIMESTAMPTZ
         UNION ALL SELECT customer_id, 'payment', payment_fingerprint FROM orders WHERE payment_fingerprint IS NOT NULL AND placed_at < $asOf::TIMESTAMPTZ
         UNION ALL SELECT customer_id, 'device', device_id FROM orders WHERE device_id IS NOT NULL AND placed_at < $asOf::TIMESTAMPTZ
       )
     ),
     shared AS (
       SELECT via, value FROM pairs GROUP BY via, value HAVING count(*) BETWEEN 2 AND $maxCustomers
     )
     SELECT p.customer_id, p.via, p.value FROM pairs p JOIN shared USING (via, value)`,
    { asOf: options.asOf.toISOString(), maxCustomers },
  );
  await connection.run(`CREATE OR REPLACE TEMP TABLE risk_ring_customers AS
    SELECT customer_id, (row_number() OVER (ORDER BY customer_id) - 1)::INTEGER AS customer_index
    FROM (SELECT DISTINCT customer_id FROM risk_shared_values)`);
  const edges = await readFeatureMatrix(
    connection,
    `SELECT c.customer_index::DOUBLE, dense_rank() OVER (ORDER BY v.via, v.value)::DOUBLE
     FROM risk_shared_values v JOIN risk_ring_customers c USING (customer_id)`,
    ['customer_index', 'value_index'],
  );
  const customerCount = Number((await connection.runAndReadAll('SELECT count(*)::BIGINT FROM risk_ring_customers')).getRows()[0]![0]);
  return {
    customerCount,
    customerIndex: edges.values.subarray(0, edges.rowCount),
    valueIndex: edges.values.subarray(edges.rowCount, 2 * edges.rowCount),
  };
}

/**
 * Replaces `customer_ring_members` and `customer_links` from the components found over `readRingEdges`'
 * numbering (`roots[customer]` = the component's representative). Ring aggregates (`customer_rings`)
 * are written from the features by `writeRingAggregates`, after the features of the run.
 */
export async function writeRings(connection: DuckDBConnection, roots: Int32Array, asOf: Date): Promise<RingSummary> {
  await connection.run('CREATE OR REPLACE TEMP TABLE risk_ring_roots (customer_index INTEGER, root INTEGER)');
  const appender = await connection.createAppender('risk_ring_roots');
  try {
    for (let customer = 0; customer < roots.length; customer++) {
      appender.appendInteger(customer);
      appender.appendInteger(roots[customer]!);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run('DELETE FROM customer_ring_members');
    // A ring is named after its smallest customer id, so the same ring keeps its id between runs
    // unless that customer leaves it.
    await connection.run(`INSERT INTO customer_ring_members
      SELECT c.customer_id, 'ring_' || min(c.customer_id) OVER (PARTITION BY r.root)
      FROM risk_ring_roots r JOIN risk_ring_customers c USING (customer_index)`);
    await connection.run('DELETE FROM customer_links');
    await connection.run(
      `INSERT INTO customer_links
       SELECT a.customer_id, b.customer_id, a.via, a.value, m.ring_id, $asOf::TIMESTAMPTZ
       FROM risk_shared_values a JOIN risk_shared_values b ON a.via = b.via AND a.value = b.value AND a.customer_id <> b.customer_id
       JOIN customer_ring_members m ON m.customer_id = a.customer_id`,
      { asOf: asOf.toISOString() },
    );
    await connection.run('COMMIT');
  } catch (error: unknown) {
    await connection.run('ROLLBACK');
    throw error;
  }
  for (const table of ['risk_shared_values', 'risk_ring_customers', 'risk_ring_roots']) await connection.run(`DROP TABLE IF EXISTS ${table}`);
  const summary = (
    await connection.runAndReadAll(`SELECT
      (SELECT count(DISTINCT ring_id) FROM customer_ring_members)::BIGINT,
      (SELECT count(*) FROM customer_ring_members)::BIGINT,
      (SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM customer_ring_members GROUP BY ring_id))::BIGINT,
      (SELECT count(*) FROM customer_links)::BIGINT`)
  ).getRows()[0]!;
  return { rings: Number(summary[0]), customersInRings: Number(summary[1]), largestRing: Number(summary[2]), links: Number(summary[3]) };
}

/** Replaces customer_rings with each ring's size and aggregates from the latest customer_features. */
export async function writeRingAggregates(connection: DuckDBConnection, computedAt: Date): Promise<number> {
  // One transaction: a crash between the DELETE and the INSERT left no rings until the next run.
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run('DELETE FROM customer_rings');
    await connection.run(
      `INSERT INTO customer_rings
       SELECT m.ring_id, count(*)::INTEGER,
         coalesce(sum(f.returned_value_365d), 0), coalesce(sum(f.not_declared_365d), 0), coalesce(sum(f.refunds_without_receipt_365d), 0),
         sum(f.items_returned_365d) / nullif(sum(f.items_bought_365d), 0), $computedAt::TIMESTAMPTZ
       FROM customer_ring_members m LEFT JOIN customer_features f USING (customer_id)
       GROUP BY m.ring_id`,
      { computedAt: computedAt.toISOString() },
    );
    await connection.run('COMMIT');
  } catch (error: unknown) {
    await connection.run('ROLLBACK');
    throw error;
  }
  return Number((await connection.runAndReadAll('SELECT count(*)::BIGINT FROM customer_rings')).getRows()[0]![0]);
}
