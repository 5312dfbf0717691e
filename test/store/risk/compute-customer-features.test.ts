import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeCustomerFeatures, createSnapshotTargets, DEFAULT_FEATURE_OPTIONS, featureOptionsOf } from '../../../store/risk/compute-customer-features.ts';
import { computeRings } from '../../../jobs/risk/compute-rings.ts';
import { openRiskTestDatabase } from './open-risk-test-database.ts';
import { RISK_FEATURE_NAMES } from '../../../models/risk/risk-feature-names.ts';
import { insertRiskFacts } from './insert-risk-facts.ts';

const database = await openRiskTestDatabase();
const connection = await database.connect();
const AS_OF = new Date('2026-02-01T00:00:00Z');

beforeAll(async () => {
  await insertRiskFacts(connection, {
    orders: [
      { orderId: 'o1', customerId: 'c1', placedAt: '2026-01-01T00:00:00Z', addressHash: 'a1' },
      { orderId: 'o3', customerId: 'c2', placedAt: '2026-01-15T00:00:00Z', addressHash: 'a1' },
      // After as_of: invisible.
      { orderId: 'o2', customerId: 'c1', placedAt: '2026-02-05T00:00:00Z' },
    ],
    lines: [
      { orderId: 'o1', lineId: 'l1', customerId: 'c1', productId: 'p1', size: 'S', unitPrice: 1000, placedAt: '2026-01-01T00:00:00Z' },
      { orderId: 'o1', lineId: 'l2', customerId: 'c1', productId: 'p1', size: 'M', unitPrice: 1000, placedAt: '2026-01-01T00:00:00Z' },
      { orderId: 'o1', lineId: 'l3', customerId: 'c1', productId: 'p2', quantity: 2, unitPrice: 5000, placedAt: '2026-01-01T00:00:00Z' },
      { orderId: 'o3', lineId: 'l9', customerId: 'c2', productId: 'p3', unitPrice: 3000, placedAt: '2026-01-15T00:00:00Z' },
      { orderId: 'o2', lineId: 'l5', customerId: 'c1', productId: 'p9', unitPrice: 99999, placedAt: '2026-02-05T00:00:00Z' },
    ],
    deliveries: [{ orderId: 'o1', customerId: 'c1', deliveredAt: '2026-01-03T00:00:00Z' }],
    returns: [
      { returnId: 'r1', orderId: 'o1', customerId: 'c1', requestedAt: '2026-01-10T00:00:00Z', lines: [
        { lineId: 'l1', productId: 'p1', reason: 'fit.too_small' },
        { lineId: 'l3', productId: 'p2', reason: 'quality.defective' },
      ] },
      { returnId: 'r2', orderId: 'o1', customerId: 'c1', requestedAt: '2026-01-12T00:00:00Z', lines: [{ lineId: 'l2', productId: 'p1', reason: 'preference.style' }] },
      { returnId: 'r3', orderId: 'o3', customerId: 'c2', requestedAt: '2026-01-20T00:00:00Z', lines: [{ lineId: 'l9', productId: 'p3', reason: 'other' }] },
    ],
    receipts: [{ returnId: 'r1', lineId: 'l1', receivedAt: '2026-01-12T00:00:00Z' }],
    inspections: [
      { returnId: 'r1', lineId: 'l1', inspectedAt: '2026-01-13T00:00:00Z', condition: 'A_new', fault: 'none_found' },
      { returnId: 'r1', lineId: 'l3', inspectedAt: '2026-01-13T00:00:00Z', condition: 'X_not_declared_item', fault: 'none_found' },
      { returnId: 'r3', lineId: 'l9', inspectedAt: '2026-01-25T00:00:00Z', condition: 'X_not_declared_item' },
      // After as_of: invisible.
      { returnId: 'r2', lineId: 'l2', inspectedAt: '2026-02-03T00:00:00Z', condition: 'X_not_declared_item' },
    ],
    refunds: [
      { refundId: 'f1', returnId: 'r2', orderId: 'o1', customerId: 'c1', issuedAt: '2026-01-15T00:00:00Z', amount: 1000 },
      // r1 arrived before its refund: one of the two refunded returns has a receipt, so receipts are reported here.
      { refundId: 'f0', returnId: 'r1', orderId: 'o1', customerId: 'c1', issuedAt: '2026-01-13T00:00:00Z', amount: 1000 },
    ],
    claims: [
      { claimId: 'k1', orderId: 'o1', customerId: 'c1', openedAt: '2026-01-25T00:00:00Z' },
      { claimId: 'k2', orderId: 'o1', customerId: 'c1', openedAt: '2026-02-10T00:00:00Z' },
    ],
  });
  await computeRings(connection, { asOf: AS_OF });
  await createSnapshotTargets(connection, AS_OF);
  await computeCustomerFeatures(connection);
});
afterAll(() => database.close());

async function featuresOf(customerId: string): Promise<Record<string, unknown>> {
  const reader = await connection.runAndReadAll(`SELECT ${RISK_FEATURE_NAMES.join(', ')} FROM risk_feature_rows WHERE customer_id = $id`, { id: customerId });
  return reader.getRowObjectsJS()[0]!;
}

describe('computeCustomerFeatures', () => {
  it('computes every feature of a hand-built customer exactly, ignoring facts at or after as_of', async () => {
    const c1 = await featuresOf('c1');
    expect(c1).toEqual({
      account_age_days: 31,
      orders_30d: 0,
      orders_365d: 1,
      items_bought_365d: 4,
      value_bought_365d: 12000,
      returns_30d: 2,
      items_returned_90d: 3,
      items_returned_365d: 3,
      item_return_rate_90d: 0.75,
      item_return_rate_365d: 0.75,
      value_return_rate_365d: 7000 / 12000,
      returned_value_90d: 7000,
      returned_value_365d: 7000,
      mean_days_to_return_365d: 23 / 3,
      late_window_return_share_365d: 0,
      late_window_returns_365d: 0,
      fit_reason_share_365d: 1 / 3,
      new_condition_share_365d: 0.5,
      defect_claim_lines_365d: 1,
      no_fault_found_share_365d: 1,
      not_declared_30d: 1,
      not_declared_90d: 1,
      not_declared_365d: 1,
      used_returns_90d: 0,
      used_returns_365d: 0,
      refunds_without_receipt_365d: 1,
      unshipped_returns_365d: 0,
      light_parcels_365d: 0,
      claims_90d: 1,
      claims_365d: 1,
      bracketing_orders_365d: 1,
      ring_size: 2,
      ring_returned_value_365d: 10000,
      ring_not_declared_365d: 2,
      ring_refunds_without_receipt_365d: 1,
      // 1 of 3 returned lines claimed defective (l3).
      defect_claim_share_365d: 1 / 3,
      // No product has 3 weighed one-line returns, so no typical weight to be off from.
      off_weight_parcels_365d: 0,
      // The one inspected defect claim found no fault; no product has 5 inspected claims, so the
      // expectation is the overall share of all inspected claims: 1 (this one) → 1 − 1 = 0.
      unexpected_no_fault_365d: 0,
      late_used_returns_365d: 0,
      // k1 ("not received") was opened on 25 January, after the delivery scan of 3 January.
      delivered_not_received_claims_365d: 1,
      // l3 was found to be another item: no fault found, not unused.
      no_fault_defect_claims_365d: 1,
      // The only inspected defect claim anywhere is l3, so the marketplace share is 1: (1 + 2·1) / (1 + 2).
      no_fault_share_shrunk_365d: 1,
      unused_defect_claims_365d: 0,
      // p2 sold 2 units with 1 claimed (rate ½); c1 bought both: expected 1 claimed item, claimed 1.
      defect_claim_excess_365d: 0,
      refunded_value_without_receipt_365d: 1000,
      // Every line is apparel: 6 items sold (all time), 3 returned items inspected not the declared
      // item (l3, l9, and l2 after as_of — a category rate uses all time); c1's 4 items → 3 / 6.
      category_abuse_rate_365d: 0.5,
      // c1's "not received" claim after delivery; c2 (its ring mate) has no such evidence.
      ring_other_evidence_365d: 1,
    });
  });

  it('writes exactly the model features, in model order', async () => {
    const columns = (await connection.runAndReadAll('SELECT * FROM risk_feature_rows LIMIT 0')).columnNames();
    expect(columns).toEqual(['target_id', 'customer_id', 'as_of', ...RISK_FEATURE_NAMES]);
  });

  it('leaves shares missing (NULL) when their denominator is empty', async () => {
    const c2 = await featuresOf('c2');
    expect(c2['mean_days_to_return_365d']).toBeNull(); // never delivered
    expect(c2['no_fault_found_share_365d']).toBeNull(); // no defect claims
    expect(c2['item_return_rate_365d']).toBe(1);
    expect(c2['ring_size']).toBe(2);
  });

  it('moves as_of: a day before the refund, it is not yet counted; the later inspection counts after it', async () => {
    await connection.run(`CREATE OR REPLACE TEMP TABLE risk_targets AS
      SELECT * FROM (VALUES (0::BIGINT, 'c1', '2026-01-14T00:00:00Z'::TIMESTAMPTZ), (1::BIGINT, 'c1', '2026-02-04T00:00:00Z'::TIMESTAMPTZ)) t(target_id, customer_id, as_of)`);
    await computeCustomerFeatures(connection);
    const reader = await connection.runAndReadAll('SELECT refunds_without_receipt_365d, not_declared_365d, claims_365d, orders_365d FROM risk_feature_rows ORDER BY target_id');
    expect(reader.getRows()).toEqual([
      [0, 1, 0, 1],
      [1, 2, 1, 1],
    ]);
  });
});

describe('computeCustomerFeatures: end-of-window, unshipped and light-parcel returns', () => {
  it('counts a return requested late in the window, a request never shipped, and a parcel under half the product weight', async () => {
    const db = await openRiskTestDatabase();
    const conn = await db.connect();
    try {
      const facts = { orders: [] as { orderId: string; customerId: string; placedAt: string }[], lines: [] as never[], deliveries: [] as never[], returns: [] as never[], receipts: [] as never[] };
      const add = (customer: string, n: number, requestedAt: string, weight: number | null): void => {
        const orderId = `o_${customer}_${n}`;
        facts.orders.push({ orderId, customerId: customer, placedAt: '2025-11-28T00:00:00Z' });
        (facts.lines as unknown[]).push({ orderId, lineId: 'l', customerId: customer, productId: 'p7', unitPrice: 100, placedAt: '2025-11-28T00:00:00Z' });
        (facts.deliveries as unknown[]).push({ orderId, customerId: customer, deliveredAt: '2025-12-01T00:00:00Z' });
        (facts.returns as unknown[]).push({ returnId: `r_${customer}_${n}`, orderId, customerId: customer, requestedAt, lines: [{ lineId: 'l', productId: 'p7', reason: 'other' }] });
        if (weight !== null) (facts.receipts as unknown[]).push({ returnId: `r_${customer}_${n}`, lineId: 'l', receivedAt: '2025-12-28T00:00:00Z' });
      };
      for (const customer of ['a', 'b', 'c']) add(customer, 0, '2025-12-03T00:00:00Z', 1000);
      add('x', 0, '2025-12-25T00:00:00Z', null); // 24 days after delivery, never shipped
      add('x', 1, '2025-12-04T00:00:00Z', 200); // arrived at a fifth of the usual weight
      await insertRiskFacts(conn, facts as never);
      await conn.run("UPDATE return_receipts SET weight_grams = CASE WHEN return_id = 'r_x_1' THEN 200 ELSE 1000 END");
      await createSnapshotTargets(conn, AS_OF);
      await computeCustomerFeatures(conn);
      const rows = (await conn.runAndReadAll('SELECT customer_id, late_window_returns_365d, late_window_return_share_365d, unshipped_returns_365d, light_parcels_365d FROM risk_feature_rows ORDER BY customer_id')).getRows();
      expect(rows).toEqual([
        ['a', 0, 0, 0, 0],
        ['b', 0, 0, 0, 0],
        ['c', 0, 0, 0, 0],
        ['x', 1, 0.5, 1, 1],
      ]);
    } finally {
      db.close();
    }
  });
});

describe('computeCustomerFeatures: the end of the return window of each line\'s category', () => {
  it('counts a return as late from two thirds of its category\'s window (RETOUR_RETURN_WINDOW_BY_CATEGORY), else of the default window', async () => {
    const db = await openRiskTestDatabase();
    const conn = await db.connect();
    try {
      // Electronics (14-day window) sent back used 11 days after delivery; apparel (60 days) 25 days after.
      const returned = (customerId: string, category: string, requestedAt: string) => ({
        order: { orderId: `o_${customerId}`, customerId, placedAt: '2025-11-28T00:00:00Z' },
        line: { orderId: `o_${customerId}`, lineId: 'l', customerId, productId: `p_${category}`, category, unitPrice: 100, placedAt: '2025-11-28T00:00:00Z' },
        delivery: { orderId: `o_${customerId}`, customerId, deliveredAt: '2025-12-01T00:00:00Z' },
        request: { returnId: `r_${customerId}`, orderId: `o_${customerId}`, customerId, requestedAt, lines: [{ lineId: 'l', productId: `p_${category}`, reason: 'preference.style' }] },
        inspection: { returnId: `r_${customerId}`, lineId: 'l', inspectedAt: '2026-01-05T00:00:00Z', condition: 'C_used' },
      });
      const facts = [returned('e', 'electronics', '2025-12-12T00:00:00Z'), returned('a', 'apparel', '2025-12-26T00:00:00Z')];
      await insertRiskFacts(conn, {
        orders: facts.map((fact) => fact.order), lines: facts.map((fact) => fact.line), deliveries: facts.map((fact) => fact.delivery),
        returns: facts.map((fact) => fact.request), inspections: facts.map((fact) => fact.inspection),
      });
      await createSnapshotTargets(conn, AS_OF);
      const late = async () => (await conn.runAndReadAll('SELECT customer_id, late_window_returns_365d, late_window_return_share_365d, late_used_returns_365d FROM risk_feature_rows ORDER BY customer_id')).getRows();
      const options = featureOptionsOf({ riskNoReceiptDays: 14, returnWindowDays: 30, returnWindowByCategory: { electronics: 14, apparel: 60 } });
      expect(options).toEqual({ noReceiptDays: 14, lateReturnDays: 20, lateReturnDaysByCategory: { electronics: 9, apparel: 40 } });
      await computeCustomerFeatures(conn, options);
      expect(await late()).toEqual([['a', 0, 0, 0], ['e', 1, 1, 1]]);
      // With the default window alone, the other way round: what the features counted before.
      await computeCustomerFeatures(conn, DEFAULT_FEATURE_OPTIONS);
      expect(await late()).toEqual([['a', 1, 1, 1], ['e', 0, 0, 0]]);
    } finally {
      db.close();
    }
  });
});

describe('computeCustomerFeatures: off-weight parcels and no-fault claims against the product rate', () => {
  it('counts one-line parcels more than 20% off the product weight either way, and no-fault defect claims beyond the product share', async () => {
    const db = await openRiskTestDatabase();
    const conn = await db.connect();
    try {
      const facts = { orders: [] as unknown[], lines: [] as unknown[], returns: [] as unknown[], receipts: [] as unknown[], inspections: [] as unknown[] };
      const weights = new Map<string, number>();
      const add = (customer: string, n: number, product: string, reason: string, options: { weight?: number; fault?: string }): void => {
        const orderId = `o_${customer}_${n}`;
        const returnId = `r_${customer}_${n}`;
        facts.orders.push({ orderId, customerId: customer, placedAt: '2025-11-28T00:00:00Z' });
        facts.lines.push({ orderId, lineId: 'l', customerId: customer, productId: product, unitPrice: 100, placedAt: '2025-11-28T00:00:00Z' });
        facts.returns.push({ returnId, orderId, customerId: customer, requestedAt: '2025-12-03T00:00:00Z', lines: [{ lineId: 'l', productId: product, reason }] });
        if (options.weight !== undefined) {
          facts.receipts.push({ returnId, lineId: 'l', receivedAt: '2025-12-06T00:00:00Z' });
          weights.set(returnId, options.weight);
        }
        if (options.fault !== undefined) facts.inspections.push({ returnId, lineId: 'l', inspectedAt: '2025-12-07T00:00:00Z', condition: 'B_open_box', fault: options.fault });
      };
      // p8 usually comes back at 1000 g; y's parcels: 1300 g (30% heavy: off), 1100 g (10%: packaging), 400 g (light: off).
      for (const customer of ['a', 'b', 'c', 'd']) add(customer, 0, 'p8', 'other', { weight: 1000 });
      add('y', 0, 'p8', 'other', { weight: 1300 });
      add('y', 1, 'p8', 'other', { weight: 1100 });
      add('y', 2, 'p8', 'other', { weight: 400 });
      // pd: five claims by others (four confirmed, one no fault) and z's two no-fault claims → share 3/7.
      for (const customer of ['e', 'f', 'g', 'h']) add(customer, 0, 'pd', 'quality.defective', { fault: 'manufacturing' });
      add('i', 0, 'pd', 'quality.defective', { fault: 'none_found' });
      add('z', 0, 'pd', 'quality.defective', { fault: 'none_found' });
      add('z', 1, 'pd', 'quality.defective', { fault: 'none_found' });
      await insertRiskFacts(conn, facts as never);
      for (const [returnId, grams] of weights) await conn.run('UPDATE return_receipts SET weight_grams = $grams WHERE return_id = $returnId', { grams, returnId });
      await createSnapshotTargets(conn, AS_OF);
      await computeCustomerFeatures(conn);
      const rows = (await conn.runAndReadAll(`SELECT customer_id, off_weight_parcels_365d, light_parcels_365d, unexpected_no_fault_365d, defect_claim_share_365d
        FROM risk_feature_rows WHERE customer_id IN ('a', 'e', 'i', 'y', 'z') ORDER BY customer_id`)).getRows();
      expect(rows.map((row) => row.map((value) => (typeof value === 'number' ? Number(value.toFixed(12)) : value)))).toEqual([
        ['a', 0, 0, 0, 0],
        ['e', 0, 0, Number((0 - 3 / 7).toFixed(12)), 1],
        ['i', 0, 0, Number((1 - 3 / 7).toFixed(12)), 1],
        ['y', 2, 1, 0, 0],
        ['z', 0, 0, Number((2 * (1 - 3 / 7)).toFixed(12)), 1],
      ]);
    } finally {
      db.close();
    }
  });
});

describe('computeCustomerFeatures: worn late returns, unused no-fault defect claims, claims after delivery', () => {
  it('counts each piece of evidence against the marketplace and the products bought', async () => {
    const db = await openRiskTestDatabase();
    const conn = await db.connect();
    try {
      const facts = { orders: [] as unknown[], lines: [] as unknown[], deliveries: [] as unknown[], returns: [] as unknown[], inspections: [] as unknown[], claims: [] as unknown[] };
      const buy = (customer: string, n: number, product: string): string => {
        const orderId = `o_${customer}_${n}`;
        facts.orders.push({ orderId, customerId: customer, placedAt: '2025-11-28T00:00:00Z' });
        facts.lines.push({ orderId, lineId: 'l', customerId: customer, productId: product, unitPrice: 100, placedAt: '2025-11-28T00:00:00Z' });
        facts.deliveries.push({ orderId, customerId: customer, deliveredAt: '2025-12-01T00:00:00Z' });
        return orderId;
      };
      const giveBack = (customer: string, n: number, product: string, options: { reason: string; requestedAt: string; condition: string; fault: string }): void => {
        const orderId = buy(customer, n, product);
        facts.returns.push({ returnId: `r_${customer}_${n}`, orderId, customerId: customer, requestedAt: options.requestedAt, lines: [{ lineId: 'l', productId: product, reason: options.reason }] });
        facts.inspections.push({ returnId: `r_${customer}_${n}`, lineId: 'l', inspectedAt: '2026-01-05T00:00:00Z', condition: options.condition, fault: options.fault });
      };
      // w: worn and returned 24 days after delivery (counts), worn and returned after 3 days (does not).
      giveBack('w', 0, 'pw', { reason: 'preference.style', requestedAt: '2025-12-25T00:00:00Z', condition: 'C_used', fault: 'customer' });
      giveBack('w', 1, 'pw', { reason: 'preference.style', requestedAt: '2025-12-04T00:00:00Z', condition: 'C_used', fault: 'customer' });
      // u: two "defective" pq with no fault found, one of them unused; v: one confirmed defect; k bought 3 pq, claimed none.
      giveBack('u', 0, 'pq', { reason: 'quality.defective', requestedAt: '2025-12-05T00:00:00Z', condition: 'A_new', fault: 'none_found' });
      giveBack('u', 1, 'pq', { reason: 'quality.defective', requestedAt: '2025-12-05T00:00:00Z', condition: 'B_open_box', fault: 'none_found' });
      giveBack('v', 0, 'pq', { reason: 'quality.defective', requestedAt: '2025-12-05T00:00:00Z', condition: 'D_damaged', fault: 'manufacturing' });
      for (let n = 0; n < 3; n++) buy('k', n, 'pq');
      // k: "not received" after the delivery scan (counts); v's claim came before its parcel was delivered.
      facts.claims.push({ claimId: 'c_k', orderId: 'o_k_0', customerId: 'k', openedAt: '2025-12-03T00:00:00Z', kind: 'not_received' });
      facts.claims.push({ claimId: 'c_v', orderId: 'o_v_0', customerId: 'v', openedAt: '2025-11-30T00:00:00Z', kind: 'not_received' });
      await insertRiskFacts(conn, facts as never);
      await createSnapshotTargets(conn, AS_OF);
      await computeCustomerFeatures(conn);
      const rows = (await conn.runAndReadAll(`SELECT customer_id, late_used_returns_365d, used_returns_365d, no_fault_defect_claims_365d, unused_defect_claims_365d,
          no_fault_share_shrunk_365d, defect_claim_excess_365d, delivered_not_received_claims_365d, claims_365d
        FROM risk_feature_rows ORDER BY customer_id`)).getRows();
      const rounded = rows.map((row) => row.map((value) => (typeof value === 'number' ? Number(value.toFixed(12)) : value)));
      // Marketplace no-fault share 2/3 (u's two of three inspected claims); pq claim rate 3 of 6 sold = ½.
      expect(rounded).toEqual([
        ['k', 0, 0, 0, 0, Number(((0 + 2 * (2 / 3)) / (0 + 2)).toFixed(12)), -1.5, 1, 1],
        ['u', 0, 0, 2, 1, Number(((2 + 2 * (2 / 3)) / (2 + 2)).toFixed(12)), 1, 0, 0],
        ['v', 0, 0, 0, 0, Number(((0 + 2 * (2 / 3)) / (1 + 2)).toFixed(12)), 0.5, 0, 1],
        ['w', 1, 2, 0, 0, Number(((0 + 2 * (2 / 3)) / (0 + 2)).toFixed(12)), 0, 0, 0],
      ]);
    } finally {
      db.close();
    }
  });

  it('has a customer_features column for every model feature (migrations 004, 007 and 010)', async () => {
    const db = await openRiskTestDatabase();
    const conn = await db.connect();
    try {
      const columns = (await conn.runAndReadAll('SELECT * FROM customer_features LIMIT 0')).columnNames();
      expect(RISK_FEATURE_NAMES.filter((name) => !columns.includes(name))).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('computeCustomerFeatures: category abuse rate', () => {
  it('averages, over the items bought in 365 days, the category rate of returned items inspected with evidence of abuse per item sold', async () => {
    const db = await openRiskTestDatabase();
    const conn = await db.connect();
    try {
      const line = (customerId: string, orderId: string, category: string, quantity: number, placedAt = '2026-01-05T00:00:00Z') =>
        ({ orderId, lineId: 'l', customerId, productId: `p_${category}`, category, quantity, unitPrice: 100, placedAt });
      await insertRiskFacts(conn, {
        orders: [
          { orderId: 'oe', customerId: 'e', placedAt: '2026-01-05T00:00:00Z' },
          { orderId: 'oa', customerId: 'a', placedAt: '2026-01-05T00:00:00Z' },
          { orderId: 'om', customerId: 'm', placedAt: '2026-01-05T00:00:00Z' },
          { orderId: 'om2', customerId: 'm', placedAt: '2026-01-06T00:00:00Z' },
          { orderId: 'oold', customerId: 'old', placedAt: '2024-06-01T00:00:00Z' },
        ],
        lines: [
          line('e', 'oe', 'electronics', 4),
          line('a', 'oa', 'apparel', 10),
          line('m', 'om', 'electronics', 1),
          line('m', 'om2', 'apparel', 3),
          // Bought more than 365 days before as_of: no basket in the window.
          line('old', 'oold', 'electronics', 5, '2024-06-01T00:00:00Z'),
        ],
        returns: [
          { returnId: 're', orderId: 'oe', customerId: 'e', requestedAt: '2026-01-10T00:00:00Z', lines: [{ lineId: 'l', productId: 'p_electronics', quantity: 2, reason: 'quality.defective' }] },
          { returnId: 'ra', orderId: 'oa', customerId: 'a', requestedAt: '2026-01-10T00:00:00Z', lines: [{ lineId: 'l', productId: 'p_apparel', reason: 'fit.too_small' }] },
          { returnId: 'rm', orderId: 'om2', customerId: 'm', requestedAt: '2026-01-10T00:00:00Z', lines: [{ lineId: 'l', productId: 'p_apparel', reason: 'preference.style' }] },
        ],
        inspections: [
          // Claimed defective, no fault found: evidence (2 items).
          { returnId: 're', lineId: 'l', inspectedAt: '2026-01-12T00:00:00Z', condition: 'B_open_box', fault: 'none_found' },
          // Returned new: no evidence.
          { returnId: 'ra', lineId: 'l', inspectedAt: '2026-01-12T00:00:00Z', condition: 'A_new', fault: 'none_found' },
          // Returned used: evidence (1 item).
          { returnId: 'rm', lineId: 'l', inspectedAt: '2026-01-12T00:00:00Z', condition: 'C_used', fault: 'customer' },
        ],
      });
      await createSnapshotTargets(conn, AS_OF);
      await computeCustomerFeatures(conn);
      const rows = (await conn.runAndReadAll('SELECT customer_id, category_abuse_rate_365d FROM risk_feature_rows ORDER BY customer_id')).getRows();
      // electronics: 2 abused items of 10 sold (4 + 1 + 5) = 0.2; apparel: 1 of 13 sold (10 + 3).
      expect(rows).toEqual([
        ['a', 1 / 13],
        ['e', 0.2],
        ['m', (1 * 0.2 + 3 * (1 / 13)) / 4],
        ['old', null],
      ]);
    } finally {
      db.close();
    }
  });
});

describe('computeCustomerFeatures: other evidence of abuse summed over the ring', () => {
  it('adds the members\' worn-late returns, light parcels, claims after delivery and unused defect claims', async () => {
    const db = await openRiskTestDatabase();
    const conn = await db.connect();
    try {
      const members = ['m1', 'm2', 'm3', 'solo'];
      await insertRiskFacts(conn, {
        // m1–m3 share an address (one ring of three); solo ships elsewhere.
        orders: members.map((customerId) => ({ orderId: `o_${customerId}`, customerId, placedAt: '2026-01-02T00:00:00Z', addressHash: customerId === 'solo' ? 'elsewhere' : 'shared' })),
        lines: members.map((customerId) => ({ orderId: `o_${customerId}`, lineId: 'l', customerId, productId: 'p', unitPrice: 100, placedAt: '2026-01-02T00:00:00Z' })),
        deliveries: members.map((customerId) => ({ orderId: `o_${customerId}`, customerId, deliveredAt: '2026-01-04T00:00:00Z' })),
        // "Not received" after the delivery scan: m1 twice, solo once; m2 before the scan (a late parcel, no evidence).
        claims: [
          { claimId: 'k1', orderId: 'o_m1', customerId: 'm1', openedAt: '2026-01-06T00:00:00Z', kind: 'not_received' },
          { claimId: 'k2', orderId: 'o_m1', customerId: 'm1', openedAt: '2026-01-08T00:00:00Z', kind: 'not_received' },
          { claimId: 'k3', orderId: 'o_m2', customerId: 'm2', openedAt: '2026-01-03T00:00:00Z', kind: 'not_received' },
          { claimId: 'k4', orderId: 'o_solo', customerId: 'solo', openedAt: '2026-01-06T00:00:00Z', kind: 'not_received' },
        ],
      });
      await computeRings(conn, { asOf: AS_OF });
      await createSnapshotTargets(conn, AS_OF);
      await computeCustomerFeatures(conn);
      const rows = (await conn.runAndReadAll('SELECT customer_id, ring_size, ring_other_evidence_365d FROM risk_feature_rows ORDER BY customer_id')).getRows();
      expect(rows).toEqual([
        ['m1', 3, 2],
        ['m2', 3, 2],
        ['m3', 3, 2],
        ['solo', 1, 1],
      ]);
    } finally {
      db.close();
    }
  });
});

describe('where receipts are not reported at all', () => {
  it('a refund or a request without a receipt is no evidence (a backfill of sales and credit notes has no warehouse events)', async () => {
    const bare = await openRiskTestDatabase();
    const bareConnection = await bare.connect();
    try {
      await insertRiskFacts(bareConnection, {
        orders: [{ orderId: 'o1', customerId: 'c1', placedAt: '2026-01-01T00:00:00Z' }],
        lines: [{ orderId: 'o1', lineId: 'l1', customerId: 'c1', productId: 'p1', unitPrice: 1000, placedAt: '2026-01-01T00:00:00Z' }],
        returns: [{ returnId: 'r1', orderId: 'o1', customerId: 'c1', requestedAt: '2026-01-10T00:00:00Z', lines: [{ lineId: 'l1', productId: 'p1', reason: 'other' }] }],
        refunds: [{ refundId: 'f1', returnId: 'r1', orderId: 'o1', customerId: 'c1', issuedAt: '2026-01-10T00:00:00Z', amount: 1000 }],
      });
      await computeRings(bareConnection, { asOf: AS_OF });
      await createSnapshotTargets(bareConnection, AS_OF);
      await computeCustomerFeatures(bareConnection);
      const reader = await bareConnection.runAndReadAll(`SELECT refunds_without_receipt_365d, unshipped_returns_365d FROM risk_feature_rows WHERE customer_id = 'c1'`);
      expect(reader.getRowObjectsJS()).toEqual([{ refunds_without_receipt_365d: 0, unshipped_returns_365d: 0 }]);
    } finally {
      bare.close();
    }
  });
});

describe('re-inspected lines', () => {
  it('count by their latest inspection before as_of, once: a second opinion replaces the first, a re-sent inspection does not double', async () => {
    const separate = await openRiskTestDatabase();
    const separateConnection = await separate.connect();
    try {
      await insertRiskFacts(separateConnection, {
        orders: [{ orderId: 'o1', customerId: 'c1', placedAt: '2026-01-01T00:00:00Z' }],
        lines: [
          { orderId: 'o1', lineId: 'l1', customerId: 'c1', productId: 'p1', unitPrice: 1000, placedAt: '2026-01-01T00:00:00Z' },
          { orderId: 'o1', lineId: 'l2', customerId: 'c1', productId: 'p2', unitPrice: 1000, placedAt: '2026-01-01T00:00:00Z' },
          { orderId: 'o1', lineId: 'l3', customerId: 'c1', productId: 'p3', unitPrice: 1000, placedAt: '2026-01-01T00:00:00Z' },
        ],
        deliveries: [{ orderId: 'o1', customerId: 'c1', deliveredAt: '2026-01-03T00:00:00Z' }],
        returns: [
          { returnId: 'r1', orderId: 'o1', customerId: 'c1', requestedAt: '2026-01-10T00:00:00Z', lines: [
            { lineId: 'l1', productId: 'p1', reason: 'other' },
            { lineId: 'l2', productId: 'p2', reason: 'other' },
            { lineId: 'l3', productId: 'p3', reason: 'other' },
          ] },
        ],
        inspections: [
          // l1: "not the declared item", overturned by a second opinion.
          { returnId: 'r1', lineId: 'l1', inspectedAt: '2026-01-13T00:00:00Z', condition: 'X_not_declared_item' },
          { returnId: 'r1', lineId: 'l1', inspectedAt: '2026-01-20T00:00:00Z', condition: 'A_new' },
          // l2: the same finding recorded twice.
          { returnId: 'r1', lineId: 'l2', inspectedAt: '2026-01-14T00:00:00Z', condition: 'X_not_declared_item' },
          { returnId: 'r1', lineId: 'l2', inspectedAt: '2026-01-14T00:00:00Z', condition: 'X_not_declared_item' },
          // l3: confirmed only after as_of: as of then, its first inspection stands.
          { returnId: 'r1', lineId: 'l3', inspectedAt: '2026-01-15T00:00:00Z', condition: 'C_used' },
          { returnId: 'r1', lineId: 'l3', inspectedAt: '2026-02-10T00:00:00Z', condition: 'X_not_declared_item' },
        ],
      });
      await computeRings(separateConnection, { asOf: AS_OF });
      await createSnapshotTargets(separateConnection, AS_OF);
      await computeCustomerFeatures(separateConnection);
      const reader = await separateConnection.runAndReadAll(`SELECT not_declared_365d, used_returns_365d, new_condition_share_365d FROM risk_feature_rows WHERE customer_id = 'c1'`);
      expect(reader.getRowObjectsJS()).toEqual([{ not_declared_365d: 1, used_returns_365d: 1, new_condition_share_365d: 1 / 3 }]);
    } finally {
      separate.close();
    }
  });
});
