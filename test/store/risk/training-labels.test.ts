import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendLabelSnapshots, resetLabelTargets } from '../../../store/risk/training-labels.ts';
import { insertRiskFacts } from './insert-risk-facts.ts';
import { openRiskTestDatabase } from './open-risk-test-database.ts';

const database = await openRiskTestDatabase();
const connection = await database.connect();
const SNAPSHOT = new Date('2026-01-01T00:00:00Z');

beforeAll(async () => {
  const customers = ['worn', 'notReceived', 'noReceipt', 'oneNoFault', 'twoNoFault', 'swap', 'forgiven', 'earlyWorn', 'cleared', 'convicted', 'tied'];
  const orders = customers.map((customerId) => ({ orderId: `o_${customerId}`, customerId, placedAt: '2025-11-20T00:00:00Z' }));
  const lines = customers.flatMap((customerId) => [1, 2].map((n) => ({ orderId: `o_${customerId}`, lineId: `l${n}`, customerId, productId: 'p', unitPrice: 100, placedAt: '2025-11-20T00:00:00Z' })));
  const deliveries = customers.map((customerId) => ({ orderId: `o_${customerId}`, customerId, deliveredAt: '2025-12-01T00:00:00Z' }));
  const returnOf = (customerId: string, requestedAt: string, reason: string, lineIds = ['l1']) => ({
    returnId: `r_${customerId}`, orderId: `o_${customerId}`, customerId, requestedAt, lines: lineIds.map((lineId) => ({ lineId, productId: 'p', reason })),
  });
  await insertRiskFacts(connection, {
    orders, lines, deliveries,
    returns: [
      returnOf('worn', '2025-12-25T00:00:00Z', 'preference.style'), // 24 days after delivery
      returnOf('earlyWorn', '2025-12-04T00:00:00Z', 'preference.style'), // 3 days: honest wear happens
      returnOf('noReceipt', '2025-12-28T00:00:00Z', 'preference.changed_mind'),
      returnOf('oneNoFault', '2025-12-05T00:00:00Z', 'quality.defective'),
      returnOf('twoNoFault', '2025-12-05T00:00:00Z', 'quality.defective', ['l1', 'l2']),
      returnOf('swap', '2025-12-05T00:00:00Z', 'quality.defective'),
      returnOf('forgiven', '2025-12-25T00:00:00Z', 'preference.style'),
    ],
    inspections: [
      { returnId: 'r_worn', lineId: 'l1', inspectedAt: '2026-01-10T00:00:00Z', condition: 'C_used', fault: 'customer' },
      { returnId: 'r_earlyWorn', lineId: 'l1', inspectedAt: '2026-01-10T00:00:00Z', condition: 'C_used', fault: 'customer' },
      { returnId: 'r_oneNoFault', lineId: 'l1', inspectedAt: '2026-01-10T00:00:00Z', condition: 'B_open_box', fault: 'none_found' },
      { returnId: 'r_twoNoFault', lineId: 'l1', inspectedAt: '2026-01-10T00:00:00Z', condition: 'B_open_box', fault: 'none_found' },
      { returnId: 'r_twoNoFault', lineId: 'l2', inspectedAt: '2026-01-10T00:00:00Z', condition: 'A_new', fault: 'none_found' },
      { returnId: 'r_swap', lineId: 'l1', inspectedAt: '2026-01-10T00:00:00Z', condition: 'X_not_declared_item', fault: 'none_found' },
      { returnId: 'r_forgiven', lineId: 'l1', inspectedAt: '2026-01-10T00:00:00Z', condition: 'C_used', fault: 'customer' },
    ],
    // Refunded on 2 January, never received: known to be missing from 16 January (14 days later).
    refunds: [{ refundId: 'f1', returnId: 'r_noReceipt', orderId: 'o_noReceipt', customerId: 'noReceipt', issuedAt: '2026-01-02T00:00:00Z', amount: 100 }],
    claims: [{ claimId: 'k1', orderId: 'o_notReceived', customerId: 'notReceived', openedAt: '2026-01-05T00:00:00Z', kind: 'not_received' }],
    decisions: [
      { decisionId: 'd1', customerId: 'forgiven', decidedAt: '2026-01-20T00:00:00Z', verdict: 'legitimate' },
      // Fraud on 5 January, corrected to legitimate on 10 March, after the 60-day horizon.
      { decisionId: 'd_cleared', customerId: 'cleared', flagId: 'flg_cleared', decidedAt: '2026-01-05T00:00:00Z', verdict: 'fraud', fraudType: 'item_swap' },
      { decisionId: 'd_cleared_fix', customerId: 'cleared', flagId: 'flg_cleared', decidedAt: '2026-03-10T00:00:00Z', verdict: 'legitimate' },
      // Legitimate on 5 January, corrected to fraud the next day.
      { decisionId: 'd_convicted', customerId: 'convicted', flagId: 'flg_convicted', decidedAt: '2026-01-05T00:00:00Z', verdict: 'legitimate' },
      { decisionId: 'd_convicted_fix', customerId: 'convicted', flagId: 'flg_convicted', decidedAt: '2026-01-06T00:00:00Z', verdict: 'fraud', fraudType: 'ring' },
      // Two publishers decided the same flag at the same instant: the greater decision id wins.
      { decisionId: 'd_tied_b', customerId: 'tied', flagId: 'flg_tied', decidedAt: '2026-01-05T00:00:00Z', verdict: 'abuse', fraudType: 'wardrobing' },
      { decisionId: 'd_tied_a', customerId: 'tied', flagId: 'flg_tied', decidedAt: '2026-01-05T00:00:00Z', verdict: 'legitimate' },
    ],
  });
});
afterAll(() => database.close());

async function labels(options: { horizonDays: number; evidenceLabels?: boolean; snapshot?: Date; lateReturnDaysByCategory?: Record<string, number> }): Promise<Record<string, number>> {
  await resetLabelTargets(connection);
  const snapshot = options.snapshot ?? SNAPSHOT;
  await appendLabelSnapshots(connection, {
    firstSnapshot: snapshot, lastSnapshot: snapshot, stepDays: 14, horizonDays: options.horizonDays, split: 'train',
    ...(options.evidenceLabels === undefined ? {} : { evidenceLabels: options.evidenceLabels }),
    ...(options.lateReturnDaysByCategory === undefined ? {} : { lateReturnDaysByCategory: options.lateReturnDaysByCategory }),
  });
  const rows = (await connection.runAndReadAll('SELECT customer_id, label FROM risk_targets ORDER BY customer_id')).getRows();
  return Object.fromEntries(rows.map(([customer, label]) => [String(customer), Number(label)]));
}

describe('appendLabelSnapshots', () => {
  it('labels strong evidence in the horizon positive: worn late returns, not received after delivery, refunds without receipt, two no-fault defect claims', async () => {
    expect(await labels({ horizonDays: 60, evidenceLabels: true })).toEqual({
      cleared: 0, convicted: 1, earlyWorn: 0, forgiven: 0, noReceipt: 1, notReceived: 1, oneNoFault: 0, swap: 1, tied: 1, twoNoFault: 1, worn: 1,
    });
  });

  it('dates a worn return "late" by the window of its line\'s category, as the features do', async () => {
    // The lines are apparel: with a 60-day apparel window (late from day 40) the item worn 24 days after
    // delivery came back in good time; with a 3-day one (late from day 2) the one worn 3 days after did not.
    expect(await labels({ horizonDays: 60, evidenceLabels: true, lateReturnDaysByCategory: { apparel: 40 } })).toMatchObject({ worn: 0, earlyWorn: 0 });
    expect(await labels({ horizonDays: 60, evidenceLabels: true, lateReturnDaysByCategory: { apparel: 2 } })).toMatchObject({ worn: 1, earlyWorn: 1 });
    expect(await labels({ horizonDays: 60, evidenceLabels: true, lateReturnDaysByCategory: { electronics: 2 } })).toMatchObject({ worn: 1, earlyWorn: 0 });
  });

  it('dates a refund without receipt when it becomes known, not when it was issued', async () => {
    // Horizon ends 11 January: the inspections (10 January) and the claim are in, the missing parcel is not known yet.
    expect((await labels({ horizonDays: 10, evidenceLabels: true }))['noReceipt']).toBe(0);
    expect((await labels({ horizonDays: 15, evidenceLabels: true }))['noReceipt']).toBe(1);
  });

  it('uses reviews and not-declared items only when evidence labels are off (the default)', async () => {
    expect(await labels({ horizonDays: 60 })).toEqual({
      cleared: 0, convicted: 1, earlyWorn: 0, forgiven: 0, noReceipt: 0, notReceived: 0, oneNoFault: 0, swap: 1, tied: 1, twoNoFault: 0, worn: 0,
    });
  });

  it("labels a flag by its latest decision only, dated when the flag was first decided: a corrected verdict flips the label", async () => {
    const labelled = await labels({ horizonDays: 60 });
    // The fraud verdict corrected to legitimate is no positive, though the correction falls after the horizon.
    expect(labelled['cleared']).toBe(0);
    // The legitimate verdict corrected to fraud no longer overrides the fraud.
    expect(labelled['convicted']).toBe(1);
    expect(labelled['tied']).toBe(1);
    // Dated at the first decision: a snapshot after it does not see the correction as a new review.
    expect((await labels({ horizonDays: 60, snapshot: new Date('2026-01-07T00:00:00Z') }))['cleared']).toBe(0);
    expect((await labels({ horizonDays: 60, snapshot: new Date('2026-01-07T00:00:00Z') }))['convicted']).toBe(0);
  });

  it('never labels a snapshot with evidence from before it', async () => {
    const later = await labels({ horizonDays: 60, evidenceLabels: true, snapshot: new Date('2026-01-20T00:00:00Z') });
    expect(Object.values(later).every((label) => label === 0)).toBe(true);
  });
});
