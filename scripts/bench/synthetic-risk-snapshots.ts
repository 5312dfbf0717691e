/**
 * Synthetic customer risk snapshots for the API benchmark: `cus_0` … `cus_{count-1}`, deterministic
 * for a seed, with the mix of tiers, reasons and linked accounts the hot routes serialise.
 */
import type { CustomerRiskSnapshot } from '../../domain/risk/customer-risk-snapshot.ts';
import { createSeededRandom } from '../../models/random/seeded-random.ts';

/**
 * @example
 * const snapshots = syntheticRiskSnapshots(100_000, 7); // Map of 100k snapshots, cus_0 … cus_99999
 */
export function syntheticRiskSnapshots(count: number, seed: number): Map<string, CustomerRiskSnapshot> {
  if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`count must be an integer ≥ 0; got ${count}`);
  const random = createSeededRandom(seed);
  const snapshots = new Map<string, CustomerRiskSnapshot>();
  for (let index = 0; index < count; index++) {
    const score = random.next();
    const customerId = `cus_${index}`;
    snapshots.set(customerId, {
      customerId,
      status: 'scored',
      score,
      tier: score >= 0.8 ? 'high' : score >= 0.5 ? 'review' : 'low',
      reasons: score >= 0.5 ? [{ code: 'NOT_DECLARED', text: 'returned items not declared in the parcel', weight: 0.6 }] : [],
      modelVersion: 'bench-1',
      computedAt: '2026-11-20T11:00:00.000Z',
      fraudTypeHint: null,
      notDeclared90d: random.nextInt(3),
      usedReturns90d: 0,
      refundsWithoutReceipt365d: 0,
      defectClaimLines365d: random.nextInt(4),
      noFaultFoundShare365d: random.next(),
      returnedValue90d: random.nextInt(50_000),
      accountAgeDays: 30 + random.nextInt(2000),
      ringSize: 1,
      linkedCustomerIds: index % 10 === 0 ? [`cus_${index + 1}`] : [],
      openFlagId: null,
      evidenceCount: 0,
      lastReview: null,
    });
  }
  return snapshots;
}
