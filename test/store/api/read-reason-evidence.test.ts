import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeRings } from '../../../jobs/risk/compute-rings.ts';
import { evaluateRiskRules, type FiredRule } from '../../../models/risk/evaluate-risk-rules.ts';
import { RISK_FEATURE_NAMES, type RiskFeatureValues } from '../../../models/risk/risk-feature-names.ts';
import { readReasonEvidence, readReasonsRun } from '../../../store/api/read-reason-evidence.ts';
import { computeCustomerFeatures, productWeightSql, createSnapshotTargets, featureOptionsOf } from '../../../store/risk/compute-customer-features.ts';
import { insertRiskFacts, type RiskFacts } from '../risk/insert-risk-facts.ts';
import { openRiskTestDatabase } from '../risk/open-risk-test-database.ts';

const database = await openRiskTestDatabase();
const connection = await database.connect();
const AS_OF = '2026-06-01T00:00:00.000Z';

type Line = NonNullable<RiskFacts['lines']>[number];
type Return = NonNullable<RiskFacts['returns']>[number];

/** A one-line return of line `lineId` of order `orderId` (product and customer as given). */
function oneLineReturn(returnId: string, orderId: string, customerId: string, requestedAt: string, line: { lineId: string; productId: string; reason?: string }): Return {
  return { returnId, orderId, customerId, requestedAt, lines: [{ lineId: line.lineId, productId: line.productId, reason: line.reason ?? 'preference.style' }] };
}

const c1Lines: Line[] = [
  ...['l1', 'l2', 'l3', 'l4', 'l5', 'l7', 'l8'].map((lineId) => ({ orderId: 'o1', lineId, customerId: 'c1', productId: 'pA', unitPrice: 5000, placedAt: '2026-03-10T00:00:00Z' })),
  ...['l6', 'l12', 'l13', 'l14'].map((lineId) => ({ orderId: 'o1', lineId, customerId: 'c1', productId: 'pL', unitPrice: 5000, placedAt: '2026-03-10T00:00:00Z' })),
  ...['l9', 'l10', 'l11'].map((lineId) => ({ orderId: 'o1', lineId, customerId: 'c1', productId: 'pD', unitPrice: 2000, placedAt: '2026-03-10T00:00:00Z' })),
];

beforeAll(async () => {
  await insertRiskFacts(connection, {
    orders: [
      { orderId: 'o0', customerId: 'c1', placedAt: '2025-09-01T00:00:00Z', addressHash: 'addr1' },
      { orderId: 'o1', customerId: 'c1', placedAt: '2026-03-10T00:00:00Z', addressHash: 'addr1' },
      { orderId: 'o2', customerId: 'c1', placedAt: '2026-04-05T00:00:00Z' },
      { orderId: 'oOld', customerId: 'c1', placedAt: '2025-01-01T00:00:00Z' },
      // Ring mates of c1 (same address).
      { orderId: 'om1', customerId: 'm1', placedAt: '2026-02-01T00:00:00Z', addressHash: 'addr1' },
      { orderId: 'om2', customerId: 'm2', placedAt: '2026-02-01T00:00:00Z', addressHash: 'addr1' },
      // Others: the light product's usual weight, and buyers of the defect product who claim nothing.
      { orderId: 'ox', customerId: 'x1', placedAt: '2026-01-01T00:00:00Z' },
      { orderId: 'oy', customerId: 'y1', placedAt: '2026-01-01T00:00:00Z' },
      { orderId: 'oc2', customerId: 'c2', placedAt: '2025-10-01T00:00:00Z' },
      { orderId: 'oc3', customerId: 'c3', placedAt: '2025-10-01T00:00:00Z' },
    ],
    lines: [
      ...c1Lines,
      { orderId: 'o0', lineId: 'l0', customerId: 'c1', productId: 'pA', unitPrice: 5000, placedAt: '2025-09-01T00:00:00Z' },
      { orderId: 'o0', lineId: 'lU', customerId: 'c1', productId: 'pA', unitPrice: 5000, placedAt: '2025-09-01T00:00:00Z' },
      { orderId: 'oOld', lineId: 'lOld', customerId: 'c1', productId: 'pA', unitPrice: 5000, placedAt: '2025-01-01T00:00:00Z' },
      { orderId: 'o2', lineId: 'l20', customerId: 'c1', productId: 'pA', unitPrice: 5000, placedAt: '2026-04-05T00:00:00Z' },
      { orderId: 'om1', lineId: 'lm1', customerId: 'm1', productId: 'pA', unitPrice: 5000, placedAt: '2026-02-01T00:00:00Z' },
      { orderId: 'om2', lineId: 'lm2', customerId: 'm2', productId: 'pA', unitPrice: 5000, placedAt: '2026-02-01T00:00:00Z' },
      ...['x1', 'x2', 'x3'].map((lineId) => ({ orderId: 'ox', lineId, customerId: 'x1', productId: 'pL', unitPrice: 5000, placedAt: '2026-01-01T00:00:00Z' })),
      { orderId: 'oy', lineId: 'y1', customerId: 'y1', productId: 'pD', quantity: 30, unitPrice: 2000, placedAt: '2026-01-01T00:00:00Z' },
      { orderId: 'oc2', lineId: 'c2a', customerId: 'c2', productId: 'pA', unitPrice: 5000, placedAt: '2025-10-01T00:00:00Z' },
      { orderId: 'oc2', lineId: 'c2b', customerId: 'c2', productId: 'pA', unitPrice: 5000, placedAt: '2025-10-01T00:00:00Z' },
      { orderId: 'oc3', lineId: 'c3a', customerId: 'c3', productId: 'pA', unitPrice: 5000, placedAt: '2025-10-01T00:00:00Z' },
      { orderId: 'oc3', lineId: 'c3b', customerId: 'c3', productId: 'pL', unitPrice: 5000, placedAt: '2025-10-01T00:00:00Z' },
    ],
    deliveries: [
      { orderId: 'o0', customerId: 'c1', deliveredAt: '2025-09-03T00:00:00Z' },
      { orderId: 'o1', customerId: 'c1', deliveredAt: '2026-03-12T00:00:00Z' },
      { orderId: 'oOld', customerId: 'c1', deliveredAt: '2025-01-03T00:00:00Z' },
    ],
    returns: [
      oneLineReturn('rOld', 'oOld', 'c1', '2025-02-01T00:00:00Z', { lineId: 'lOld', productId: 'pA' }),
      oneLineReturn('r0', 'o0', 'c1', '2025-09-10T00:00:00Z', { lineId: 'l0', productId: 'pA' }),
      // Worn, returned late, inspected long before the last 90 days: WORN_AND_RETURNED, not USED_ITEMS_RETURNED.
      oneLineReturn('rU', 'o0', 'c1', '2025-09-25T00:00:00Z', { lineId: 'lU', productId: 'pA' }),
      // Two light lines in one parcel: one light parcel.
      { returnId: 'rL2', orderId: 'o1', customerId: 'c1', requestedAt: '2026-04-02T00:00:00Z', lines: [
        { lineId: 'l12', productId: 'pL', reason: 'preference.style' },
        { lineId: 'l13', productId: 'pL', reason: 'preference.style' },
      ] },
      oneLineReturn('rH', 'o1', 'c1', '2026-04-02T00:00:00Z', { lineId: 'l14', productId: 'pL' }),
      oneLineReturn('r1', 'o1', 'c1', '2026-03-15T00:00:00Z', { lineId: 'l1', productId: 'pA' }),
      oneLineReturn('r2', 'o1', 'c1', '2026-03-16T00:00:00Z', { lineId: 'l2', productId: 'pA' }),
      // 24 days after delivery: end of the window.
      oneLineReturn('r3', 'o1', 'c1', '2026-04-05T00:00:00Z', { lineId: 'l3', productId: 'pA' }),
      oneLineReturn('r4', 'o1', 'c1', '2026-04-05T00:00:00Z', { lineId: 'l4', productId: 'pA' }),
      oneLineReturn('r5', 'o1', 'c1', '2026-04-06T00:00:00Z', { lineId: 'l5', productId: 'pA' }),
      oneLineReturn('r6', 'o1', 'c1', '2026-03-20T00:00:00Z', { lineId: 'l6', productId: 'pL' }),
      oneLineReturn('r7', 'o1', 'c1', '2026-04-01T00:00:00Z', { lineId: 'l7', productId: 'pA' }),
      oneLineReturn('r8', 'o1', 'c1', '2026-05-20T00:00:00Z', { lineId: 'l8', productId: 'pA' }),
      // One return of three "defective" lines (the features count lines).
      { returnId: 'r9', orderId: 'o1', customerId: 'c1', requestedAt: '2026-03-14T00:00:00Z', lines: [
        { lineId: 'l9', productId: 'pD', reason: 'quality.defective' },
        { lineId: 'l10', productId: 'pD', reason: 'quality.defective' },
        { lineId: 'l11', productId: 'pD', reason: 'quality.defective' },
      ] },
      oneLineReturn('r20', 'o2', 'c1', '2026-05-20T00:00:00Z', { lineId: 'l20', productId: 'pA' }),
      oneLineReturn('rm1', 'om1', 'm1', '2026-02-10T00:00:00Z', { lineId: 'lm1', productId: 'pA' }),
      ...['x1', 'x2', 'x3'].map((lineId) => oneLineReturn(`rx${lineId}`, 'ox', 'x1', '2026-01-05T00:00:00Z', { lineId, productId: 'pL' })),
      oneLineReturn('rc2a', 'oc2', 'c2', '2025-10-05T00:00:00Z', { lineId: 'c2a', productId: 'pA' }),
      oneLineReturn('rc2b', 'oc2', 'c2', '2025-11-05T00:00:00Z', { lineId: 'c2b', productId: 'pA' }),
      oneLineReturn('rc3a', 'oc3', 'c3', '2025-10-05T00:00:00Z', { lineId: 'c3a', productId: 'pA' }),
      oneLineReturn('rc3b', 'oc3', 'c3', '2025-10-05T00:00:00Z', { lineId: 'c3b', productId: 'pL' }),
    ],
    receipts: [
      ...['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r9', 'rm1'].map((returnId) => ({ returnId, lineId: returnId === 'r9' ? 'l9' : '-', receivedAt: '2026-01-01T00:00:00Z' })),
      ...['x1', 'x2', 'x3'].map((lineId) => ({ returnId: `rx${lineId}`, lineId, receivedAt: '2026-01-10T00:00:00Z', weightGrams: 1000 })),
      // A fifth of the usual weight: light (and off-weight).
      { returnId: 'r6', lineId: 'l6', receivedAt: '2026-03-25T00:00:00Z', weightGrams: 200 },
      // 150 g a line (the parcel's weight on each line): light once.
      { returnId: 'rL2', lineId: 'l12', receivedAt: '2026-04-05T00:00:00Z', weightGrams: 150 },
      { returnId: 'rL2', lineId: 'l13', receivedAt: '2026-04-05T00:00:00Z', weightGrams: 150 },
      // 60% of the usual weight: off-weight, not light.
      { returnId: 'rH', lineId: 'l14', receivedAt: '2026-04-05T00:00:00Z', weightGrams: 600 },
      { returnId: 'rU', lineId: '-', receivedAt: '2025-09-27T00:00:00Z' },
      // 50% heavier: off-weight, not light.
      { returnId: 'rc3b', lineId: 'c3b', receivedAt: '2025-10-10T00:00:00Z', weightGrams: 1500 },
    ],
    inspections: [
      { returnId: 'rOld', lineId: 'lOld', inspectedAt: '2025-02-05T00:00:00Z', condition: 'X_not_declared_item' },
      { returnId: 'r0', lineId: 'l0', inspectedAt: '2025-09-15T00:00:00Z', condition: 'X_not_declared_item' },
      { returnId: 'r1', lineId: 'l1', inspectedAt: '2026-03-20T00:00:00Z', condition: 'X_not_declared_item' },
      { returnId: 'r2', lineId: 'l2', inspectedAt: '2026-03-21T00:00:00Z', condition: 'X_not_declared_item' },
      // After as_of: invisible.
      { returnId: 'r20', lineId: 'l20', inspectedAt: '2026-06-02T00:00:00Z', condition: 'X_not_declared_item' },
      { returnId: 'rU', lineId: 'lU', inspectedAt: '2025-09-30T00:00:00Z', condition: 'C_used' },
      { returnId: 'r3', lineId: 'l3', inspectedAt: '2026-04-10T00:00:00Z', condition: 'C_used' },
      { returnId: 'r4', lineId: 'l4', inspectedAt: '2026-04-10T00:00:00Z', condition: 'C_used' },
      { returnId: 'r5', lineId: 'l5', inspectedAt: '2026-04-10T00:00:00Z', condition: 'C_used' },
      // r3's line inspected again with the same finding: still one used item, in the features and here.
      { returnId: 'r3', lineId: 'l3', inspectedAt: '2026-04-12T00:00:00Z', condition: 'C_used' },
      { returnId: 'r9', lineId: 'l9', inspectedAt: '2026-03-18T00:00:00Z', condition: 'A_new', fault: 'none_found' },
      { returnId: 'r9', lineId: 'l10', inspectedAt: '2026-03-18T00:00:00Z', condition: 'A_new', fault: 'none_found' },
      { returnId: 'r9', lineId: 'l11', inspectedAt: '2026-03-18T00:00:00Z', condition: 'B_open_box', fault: 'none_found' },
      { returnId: 'rm1', lineId: 'lm1', inspectedAt: '2026-02-15T00:00:00Z', condition: 'X_not_declared_item' },
      { returnId: 'rc2a', lineId: 'c2a', inspectedAt: '2025-10-10T00:00:00Z', condition: 'X_not_declared_item' },
      { returnId: 'rc2b', lineId: 'c2b', inspectedAt: '2025-11-10T00:00:00Z', condition: 'X_not_declared_item' },
      { returnId: 'rc3a', lineId: 'c3a', inspectedAt: '2025-10-10T00:00:00Z', condition: 'X_not_declared_item' },
    ],
    refunds: [
      // r7 never arrived; refunded 2 months before as_of.
      { refundId: 'f7', returnId: 'r7', orderId: 'o1', customerId: 'c1', issuedAt: '2026-04-02T00:00:00Z', amount: 5000 },
      // Within RETOUR_RISK_NO_RECEIPT_DAYS of as_of: not (yet) evidence.
      { refundId: 'f8', returnId: 'r8', orderId: 'o1', customerId: 'c1', issuedAt: '2026-05-25T00:00:00Z', amount: 5000 },
      // Arrived: not evidence.
      { refundId: 'f1', returnId: 'r1', orderId: 'o1', customerId: 'c1', issuedAt: '2026-03-16T00:00:00Z', amount: 5000 },
    ],
    claims: [
      // After o1's delivery scan.
      { claimId: 'k1', orderId: 'o1', customerId: 'c1', openedAt: '2026-03-20T00:00:00Z' },
      { claimId: 'k2', orderId: 'o1', customerId: 'c1', openedAt: '2026-04-01T00:00:00Z' },
      // o2 was never scanned delivered: a late parcel, not "delivered not received".
      { claimId: 'k3', orderId: 'o2', customerId: 'c1', openedAt: '2026-04-10T00:00:00Z' },
      // Older than 90 days: not a repeated claim.
      { claimId: 'k4', orderId: 'o0', customerId: 'c1', openedAt: '2025-10-01T00:00:00Z', kind: 'damaged' },
    ],
  });
  await computeRings(connection, { asOf: new Date(AS_OF) });
  await createSnapshotTargets(connection, new Date(AS_OF));
  await computeCustomerFeatures(connection);
});
afterAll(() => database.close());

async function featuresOf(customerId: string): Promise<RiskFeatureValues> {
  const reader = await connection.runAndReadAll(`SELECT ${RISK_FEATURE_NAMES.join(', ')} FROM risk_feature_rows WHERE customer_id = $id`, { id: customerId });
  const row = reader.getRowObjectsJS()[0]!;
  return Object.fromEntries(RISK_FEATURE_NAMES.map((name) => [name, row[name] === null ? Number.NaN : Number(row[name])])) as RiskFeatureValues;
}

/** The count a reason's text quotes for its evidence. */
function quotedCount(reason: FiredRule): number {
  if (reason.code === 'RING_EVIDENCE') return Number(/with (\d+) pieces/.exec(reason.text)![1]);
  // "3 items returned as defective had no fault found, 2 of them unused": the unused ones are the evidence.
  if (reason.code === 'DEFECT_CLAIMS_UNUSED') return Number((/(\d+) of them unused/.exec(reason.text) ?? /^(\d+)/.exec(reason.text))![1]);
  // "1 return inspected as not the declared item and a return parcel …": the inspection and the parcel.
  if (reason.code === 'NOT_DECLARED_ITEM' && reason.text.includes('and a return parcel')) return 2;
  return Number(/^(\d+)/.exec(reason.text)![1]);
}

async function firedWithEvidence(customerId: string) {
  const fired = evaluateRiskRules(await featuresOf(customerId));
  const evidence = await readReasonEvidence(connection, { customerId, asOf: AS_OF, codes: fired.map((reason) => reason.code), limit: 50 });
  return { fired, evidence };
}

describe('readReasonEvidence', () => {
  it('lists, for every reason the real features and rules fire, as many facts as the reason quotes', async () => {
    const { fired, evidence } = await firedWithEvidence('c1');
    expect(fired.map((reason) => reason.code)).toEqual(expect.arrayContaining([
      'NOT_DECLARED_ITEM', 'USED_ITEMS_RETURNED', 'WORN_AND_RETURNED', 'LATE_WINDOW_RETURNS', 'LIGHT_PARCEL', 'OFF_WEIGHT_PARCELS', 'REFUND_WITHOUT_RECEIPT',
      'DELIVERED_NOT_RECEIVED', 'DEFECT_NO_FAULT_FOUND', 'DEFECT_CLAIMS_UNUSED', 'REPEATED_CLAIMS', 'RING_EVIDENCE',
    ]));
    for (const reason of fired) {
      const listed = evidence.get(reason.code);
      expect(listed, reason.code).toBeDefined();
      expect({ code: reason.code, total: listed!.total, items: listed!.items.length }).toEqual({ code: reason.code, total: quotedCount(reason), items: quotedCount(reason) });
    }
  });

  it('names the very facts behind each reason, with the timeline kinds and ids', async () => {
    const { evidence } = await firedWithEvidence('c1');
    const ids = (code: string) => evidence.get(code)!.items.map((item) => `${item.kind}:${item.id}${item.lineId === undefined ? '' : `/${item.lineId}`}`).sort();
    // 2 in 90 days (r0 is older, rOld out of the year, r20 inspected after as_of).
    expect(ids('NOT_DECLARED_ITEM')).toEqual(['return.inspected:r1/l1', 'return.inspected:r2/l2']);
    expect(ids('USED_ITEMS_RETURNED')).toEqual(['return.inspected:r3/l3', 'return.inspected:r4/l4', 'return.inspected:r5/l5']);
    expect(ids('WORN_AND_RETURNED')).toEqual(['return.inspected:r3/l3', 'return.inspected:r4/l4', 'return.inspected:r5/l5', 'return.inspected:rU/lU']);
    expect(ids('LIGHT_PARCEL')).toEqual(['return.received:r6', 'return.received:rL2']);
    expect(ids('OFF_WEIGHT_PARCELS')).toEqual(['return.received:r6', 'return.received:rH']);
    expect(ids('REFUND_WITHOUT_RECEIPT')).toEqual(['refund.issued:f7']);
    expect(ids('DELIVERED_NOT_RECEIVED')).toEqual(['claim.opened:k1', 'claim.opened:k2']);
    expect(ids('REPEATED_CLAIMS')).toEqual(['claim.opened:k1', 'claim.opened:k2', 'claim.opened:k3']);
    expect(ids('DEFECT_NO_FAULT_FOUND')).toEqual(['return.inspected:r9/l10', 'return.inspected:r9/l11', 'return.inspected:r9/l9']);
    expect(ids('DEFECT_CLAIMS_UNUSED')).toEqual(['return.inspected:r9/l10', 'return.inspected:r9/l9']);
    const ring = evidence.get('RING_EVIDENCE')!.items;
    expect(ring.filter((item) => item.customerId === 'm1').map((item) => `${item.kind}:${item.id}`)).toEqual(['return.inspected:rm1']);
    expect(evidence.get('REFUND_WITHOUT_RECEIPT')!.items[0]).toEqual({ kind: 'refund.issued', id: 'f7', at: '2026-04-02T00:00:00.000Z' });
  });

  it("asking for the ring reason too changes no other reason's list: the ring's shared queries yield the customer's own rows only", async () => {
    const ownCodes = ['NOT_DECLARED_ITEM', 'USED_ITEMS_RETURNED', 'WORN_AND_RETURNED', 'LIGHT_PARCEL', 'OFF_WEIGHT_PARCELS', 'DEFECT_NO_FAULT_FOUND', 'DEFECT_CLAIMS_UNUSED'];
    // c1 and its ring mate m1 (whose own not-declared item is one, so c1's would show if they leaked).
    for (const customerId of ['c1', 'm1']) {
      const alone = await readReasonEvidence(connection, { customerId, asOf: AS_OF, codes: ownCodes, limit: 50 });
      const withRing = await readReasonEvidence(connection, { customerId, asOf: AS_OF, codes: [...ownCodes, 'RING_EVIDENCE'], limit: 50 });
      expect(withRing.get('RING_EVIDENCE')!.total, customerId).toBeGreaterThan(0);
      for (const code of ownCodes) expect(withRing.get(code), `${customerId} ${code}`).toEqual(alone.get(code));
    }
  });

  it('follows NOT_DECLARED_ITEM to the window its text quotes: 365 days, or one item and an off-weight parcel', async () => {
    for (const [customerId, expected] of [
      ['c2', ['return.inspected:rc2a', 'return.inspected:rc2b']],
      ['c3', ['return.inspected:rc3a', 'return.received:rc3b']],
    ] as const) {
      const { fired, evidence } = await firedWithEvidence(customerId);
      const reason = fired.find((candidate) => candidate.code === 'NOT_DECLARED_ITEM')!;
      expect(reason, customerId).toBeDefined();
      const listed = evidence.get('NOT_DECLARED_ITEM')!;
      expect(listed.total).toBe(quotedCount(reason));
      expect(listed.items.map((item) => `${item.kind}:${item.id}`).sort()).toEqual(expected);
    }
  });

  it("lists refunds without receipt only if the run that wrote the reasons counted them (its receiptsReported), whatever today's data says", async () => {
    const asked = await readReasonEvidence(connection, { customerId: 'c1', asOf: AS_OF, codes: ['REFUND_WITHOUT_RECEIPT'], limit: 50 });
    const counted = await readReasonEvidence(connection, { customerId: 'c1', asOf: AS_OF, codes: ['REFUND_WITHOUT_RECEIPT'], limit: 50, receiptsReported: true });
    const notCounted = await readReasonEvidence(connection, { customerId: 'c1', asOf: AS_OF, codes: ['REFUND_WITHOUT_RECEIPT'], limit: 50, receiptsReported: false });
    expect(asked.get('REFUND_WITHOUT_RECEIPT')!.total).toBe(1);
    expect(counted.get('REFUND_WITHOUT_RECEIPT')).toEqual(asked.get('REFUND_WITHOUT_RECEIPT'));
    expect(notCounted.get('REFUND_WITHOUT_RECEIPT')).toEqual({ items: [], total: 0, truncated: false });
  });

  it('weighs parcels against the typical weights the run kept, not against weights computed again from today\'s data', async () => {
    const codes = ['LIGHT_PARCEL', 'OFF_WEIGHT_PARCELS', 'NOT_DECLARED_ITEM', 'RING_EVIDENCE'];
    const computed = await readReasonEvidence(connection, { customerId: 'c1', asOf: AS_OF, codes, limit: 50 });
    await connection.run(`INSERT INTO risk_product_weights SELECT $asOf::TIMESTAMPTZ, product_id, grams FROM (${productWeightSql()})`, { asOf: AS_OF });
    try {
      expect(await readReasonEvidence(connection, { customerId: 'c1', asOf: AS_OF, codes, limit: 50 })).toEqual(computed);
      // Kept for another run only: computed again, as before.
      await connection.run(`UPDATE risk_product_weights SET as_of = as_of - INTERVAL 1 DAY`);
      expect(await readReasonEvidence(connection, { customerId: 'c1', asOf: AS_OF, codes, limit: 50 })).toEqual(computed);
      // The run's weights decide: had it weighed the light product at 100 times its weight, every parcel of it was light.
      await connection.run(`UPDATE risk_product_weights SET as_of = $asOf::TIMESTAMPTZ, grams = CASE product_id WHEN 'pL' THEN grams * 100 ELSE grams END`, { asOf: AS_OF });
      const kept = await readReasonEvidence(connection, { customerId: 'c1', asOf: AS_OF, codes, limit: 50 });
      expect(kept.get('LIGHT_PARCEL')!.total).toBeGreaterThan(computed.get('LIGHT_PARCEL')!.total);
    } finally {
      await connection.run('DELETE FROM risk_product_weights');
    }
  });

  it('caps each list at the limit and says so', async () => {
    const evidence = await readReasonEvidence(connection, { customerId: 'c1', asOf: AS_OF, codes: ['REPEATED_CLAIMS', 'MODEL_PATTERN'], limit: 2 });
    expect(evidence.get('REPEATED_CLAIMS')).toMatchObject({ total: 3, truncated: true });
    expect(evidence.get('REPEATED_CLAIMS')!.items).toHaveLength(2);
    expect(evidence.has('MODEL_PATTERN')).toBe(false);
  });
});

describe('readReasonsRun', () => {
  it("finds the risk run that wrote a flag's reasons, and what it recorded of receipts", async () => {
    const db = await openRiskTestDatabase();
    const conn = await db.connect();
    try {
      await conn.run(`INSERT INTO job_runs (job, started_at, finished_at, status, details) VALUES
        ('risk', '2026-05-01T00:00:00Z', '2026-05-01T00:01:00Z', 'succeeded', '{"receiptsReported":false}'),
        ('risk', '2026-05-02T00:00:00Z', '2026-05-02T00:01:00Z', 'succeeded', '{"receiptsReported":true}'),
        ('risk', '2026-05-03T00:00:00Z', '2026-05-03T00:01:00Z', 'succeeded', '{}'),
        ('risk', '2026-05-04T00:00:00Z', NULL, 'failed', '{"receiptsReported":false}')`);
      const open = (updatedAt: string) => ({ status: 'open', openedAt: '2026-04-01T00:00:00.000Z', updatedAt, closedAt: null });
      expect(await readReasonsRun(conn, open('2026-05-01T00:00:00.000Z'))).toEqual({ asOf: '2026-05-01T00:00:00.000Z', receiptsReported: false });
      expect(await readReasonsRun(conn, open('2026-05-02T00:00:00.000Z'))).toEqual({ asOf: '2026-05-02T00:00:00.000Z', receiptsReported: true });
      // A run from before the value was recorded, and a flag written by no recorded run: asked of the data.
      expect(await readReasonsRun(conn, open('2026-05-03T00:00:00.000Z'))).toEqual({ asOf: '2026-05-03T00:00:00.000Z', receiptsReported: undefined });
      expect(await readReasonsRun(conn, open('2026-04-01T00:00:00.000Z'))).toEqual({ asOf: '2026-04-01T00:00:00.000Z', receiptsReported: undefined });
      // Closed on 5 May: its last refresh is the run of 3 May (the failed one does not count); closed on 2 May 12:00, that of 2 May.
      const closed = (closedAt: string) => ({ status: 'dismissed', openedAt: '2026-04-01T00:00:00.000Z', updatedAt: closedAt, closedAt });
      expect(await readReasonsRun(conn, closed('2026-05-05T00:00:00.000Z'))).toEqual({ asOf: '2026-05-03T00:00:00.000Z', receiptsReported: undefined });
      expect(await readReasonsRun(conn, closed('2026-05-02T12:00:00.000Z'))).toEqual({ asOf: '2026-05-02T00:00:00.000Z', receiptsReported: true });
      // Closed before any run refreshed it: its opening time.
      expect(await readReasonsRun(conn, { ...closed('2026-04-02T00:00:00.000Z'), openedAt: '2026-03-01T00:00:00.000Z' })).toEqual({ asOf: '2026-03-01T00:00:00.000Z', receiptsReported: undefined });
      // Run again as of the same time (the later run wrote the reasons last), once each way round.
      await conn.run(`INSERT INTO job_runs (job, started_at, finished_at, status, details) VALUES
        ('risk', '2026-05-06T00:00:00Z', '2026-05-06T00:01:00Z', 'succeeded', '{}'),
        ('risk', '2026-05-06T00:00:00Z', '2026-05-06T00:03:00Z', 'succeeded', '{"receiptsReported":true}'),
        ('risk', '2026-05-07T00:00:00Z', '2026-05-07T00:01:00Z', 'succeeded', '{"receiptsReported":true}'),
        ('risk', '2026-05-07T00:00:00Z', '2026-05-07T00:03:00Z', 'succeeded', '{"receiptsReported":false}')`);
      expect(await readReasonsRun(conn, open('2026-05-06T00:00:00.000Z'))).toEqual({ asOf: '2026-05-06T00:00:00.000Z', receiptsReported: true });
      expect(await readReasonsRun(conn, open('2026-05-07T00:00:00.000Z'))).toEqual({ asOf: '2026-05-07T00:00:00.000Z', receiptsReported: false });
    } finally {
      db.close();
    }
  });
});

describe('readReasonEvidence with return windows per category', () => {
  it('counts end-of-window returns against the window of each line\'s category, as the features do', async () => {
    const db = await openRiskTestDatabase();
    const conn = await db.connect();
    try {
      // Two electronics items (window 14 days) sent back worn 11 and 12 days after delivery: the end of
      // their window, though not of the default 30 days.
      const lines = ['l1', 'l2'].map((lineId) => ({ orderId: 'o1', lineId, customerId: 'c1', productId: 'pE', category: 'electronics', unitPrice: 9000, placedAt: '2026-04-01T00:00:00Z' }));
      await insertRiskFacts(conn, {
        orders: [{ orderId: 'o1', customerId: 'c1', placedAt: '2026-04-01T00:00:00Z' }],
        lines,
        deliveries: [{ orderId: 'o1', customerId: 'c1', deliveredAt: '2026-04-03T00:00:00Z' }],
        returns: [
          oneLineReturn('r1', 'o1', 'c1', '2026-04-14T00:00:00Z', { lineId: 'l1', productId: 'pE' }),
          oneLineReturn('r2', 'o1', 'c1', '2026-04-15T00:00:00Z', { lineId: 'l2', productId: 'pE' }),
        ],
        inspections: [
          { returnId: 'r1', lineId: 'l1', inspectedAt: '2026-04-20T00:00:00Z', condition: 'C_used' },
          { returnId: 'r2', lineId: 'l2', inspectedAt: '2026-04-21T00:00:00Z', condition: 'C_used' },
        ],
      });
      const options = featureOptionsOf({ riskNoReceiptDays: 14, returnWindowDays: 30, returnWindowByCategory: { electronics: 14 } });
      await createSnapshotTargets(conn, new Date(AS_OF));
      await computeCustomerFeatures(conn, options);
      const row = (await conn.runAndReadAll(`SELECT ${RISK_FEATURE_NAMES.join(', ')} FROM risk_feature_rows WHERE customer_id = 'c1'`)).getRowObjectsJS()[0]!;
      const features = Object.fromEntries(RISK_FEATURE_NAMES.map((name) => [name, row[name] === null ? Number.NaN : Number(row[name])])) as RiskFeatureValues;
      const fired = evaluateRiskRules(features).filter((reason) => reason.code === 'WORN_AND_RETURNED' || reason.code === 'LATE_WINDOW_RETURNS');
      expect(fired.map((reason) => reason.code)).toEqual(['WORN_AND_RETURNED', 'LATE_WINDOW_RETURNS']);
      const evidence = await readReasonEvidence(conn, { customerId: 'c1', asOf: AS_OF, codes: fired.map((reason) => reason.code), limit: 50, options });
      for (const reason of fired) expect({ code: reason.code, total: evidence.get(reason.code)!.total }).toEqual({ code: reason.code, total: quotedCount(reason) });
      expect(evidence.get('LATE_WINDOW_RETURNS')!.items.map((item) => item.id)).toEqual(['r2', 'r1']);
    } finally {
      db.close();
    }
  });
});
