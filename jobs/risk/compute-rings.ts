import type { DuckDBConnection } from '@duckdb/node-api';
import { createUnionFind } from '../../models/risk/union-find.ts';
import { readRingEdges, writeRings, type RingOptions, type RingSummary } from '../../store/risk/customer-rings.ts';

/**
 * The job lock (Job.lock) of the jobs that call computeRings — risk and train: two connections
 * replacing the ring tables at once conflict in DuckDB, so the jobs take turns.
 */
export const RING_TABLES_LOCK = 'ring-tables';

/**
 * Links customers who share an `addressHash`, `paymentFingerprint` or `deviceId` on orders placed
 * before `asOf`, groups them into rings (connected components, union-find over integer ids) and
 * replaces `customer_ring_members` and `customer_links`.
 */
export async function computeRings(connection: DuckDBConnection, options: RingOptions): Promise<RingSummary> {
  const edges = await readRingEdges(connection, options);
  const sets = createUnionFind(edges.customerCount);
  const firstCustomerOfValue = new Map<number, number>();
  for (let edge = 0; edge < edges.customerIndex.length; edge++) {
    const customer = edges.customerIndex[edge]!;
    const value = edges.valueIndex[edge]!;
    const first = firstCustomerOfValue.get(value);
    if (first === undefined) firstCustomerOfValue.set(value, customer);
    else sets.union(first, customer);
  }
  const roots = new Int32Array(edges.customerCount);
  for (let customer = 0; customer < roots.length; customer++) roots[customer] = sets.find(customer);
  return writeRings(connection, roots, options.asOf);
}
