import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreProposedReturn } from '../../models/risk/score-proposed-return.ts';
import { createTestApi, snapshot, type TestApi } from './api-test-app.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const as = (role: keyof TestApi['keys']) => ({ authorization: `Bearer ${api.keys[role]}` });
const score = (body: object) => api.app.inject({ method: 'POST', url: '/v1/risk/score', headers: as('service'), payload: body });
const line = (overrides: object = {}) => ({ productId: 'prd_1', quantity: 1, reason: 'fit.too_small', unitPrice: 2500, ...overrides });

describe('GET /v1/customers/{id}/risk', () => {
  it('answers from the snapshot: score, tier, reasons, model version, computed at, linked accounts', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/customers/cus_0/risk', headers: as('risk') });
    expect(response.json()).toEqual({
      customerId: 'cus_0',
      status: 'scored',
      score: 0.97,
      tier: 'high',
      reasons: [{ code: 'NOT_DECLARED', text: 'items not declared', weight: 0.6 }],
      modelVersion: 'm-1',
      computedAt: '2026-11-20T11:00:00.000Z',
      fraudTypeHint: 'item_swap',
      openFlagId: 'flg_00',
      linkedCustomerIds: ['cus_77'],
    });
  });

  it('an unscored customer is explicit: status unscored, score null', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/customers/cus_unscored/risk', headers: as('service') });
    expect(response.json()).toMatchObject({ status: 'unscored', score: null, tier: 'unscored', modelVersion: null });
  });

  it('sees a replaced snapshot Map at once', async () => {
    const before = api.app.retour.riskSnapshots.get();
    try {
      api.app.retour.riskSnapshots.replace(new Map([['cus_new', snapshot('cus_new', { score: 0.55, tier: 'review' })]]));
      expect((await api.app.inject({ method: 'GET', url: '/v1/customers/cus_new/risk', headers: as('risk') })).json()).toMatchObject({ score: 0.55, tier: 'review' });
      expect((await api.app.inject({ method: 'GET', url: '/v1/customers/cus_0/risk', headers: as('risk') })).statusCode).toBe(404);
    } finally {
      api.app.retour.riskSnapshots.replace(before);
    }
  });
});

describe('POST /v1/risk/score', () => {
  it('returns the model decision for the customer and request', async () => {
    const request = { customerId: 'cus_0', orderId: 'ord_1', lines: [line({ reason: 'quality.defective' })] };
    const expected = scoreProposedReturn(api.app.retour.riskSnapshots.get().get('cus_0'), request);
    const response = await score(request);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ customerId: 'cus_0', status: 'scored', score: expected.score, decision: 'decline', reasons: expected.reasons, modelVersion: 'm-1' });
  });

  it('a low-risk customer is approved', async () => {
    expect((await score({ customerId: 'cus_low', lines: [line()] })).json()).toMatchObject({ decision: 'approve', score: 0.2, status: 'scored' });
  });

  it('an unknown customer is never a silent low score: unscored, and a high-value return is inspected', async () => {
    expect((await score({ customerId: 'cus_stranger', lines: [line()] })).json()).toMatchObject({ status: 'unscored', score: null, decision: 'approve' });
    const expensive = (await score({ customerId: 'cus_stranger', lines: [line({ unitPrice: 50_000 })] })).json() as { decision: string; reasons: { code: string }[] };
    expect(expensive.decision).toBe('inspect_before_refund');
    expect(expensive.reasons.map((reason) => reason.code)).toEqual(['UNSCORED_UNKNOWN_CUSTOMER', 'HIGH_VALUE']);
  });
});

describe('scores are rounded to 4 decimals, the same way on both routes', () => {
  it('a noisy-OR tail (0.9997900000000001) is 0.9998 on POST /v1/risk/score, and the customer route rounds too', async () => {
    const before = api.app.retour.riskSnapshots.get();
    try {
      // A defect claim from a customer whose defect claims were mostly unfounded adds weight 0.3:
      // 1 − (1 − 0.9997)(1 − 0.3) is 0.9997900000000001 in floating point.
      const claimant = snapshot('cus_claims', { score: 0.9997, tier: 'high', defectClaimLines365d: 4, noFaultFoundShare365d: 0.75 });
      const noisy = snapshot('cus_noisy', { score: 0.1 + 0.2, tier: 'low' });
      api.app.retour.riskSnapshots.replace(new Map([['cus_claims', claimant], ['cus_noisy', noisy]]));
      const scored = (await score({ customerId: 'cus_claims', lines: [line({ reason: 'quality.defective' })] })).json() as { score: number; reasons: { code: string }[] };
      expect(scored.reasons.map((reason) => reason.code)).toContain('REQUEST_DEFECT_UNCONFIRMED_HISTORY');
      expect(scored.score).toBe(0.9998);
      expect((await score({ customerId: 'cus_noisy', lines: [line()] })).json()).toMatchObject({ score: 0.3 });
      expect((await api.app.inject({ method: 'GET', url: '/v1/customers/cus_claims/risk', headers: as('risk') })).json()).toMatchObject({ score: 0.9997 });
      expect((await api.app.inject({ method: 'GET', url: '/v1/customers/cus_noisy/risk', headers: as('risk') })).json()).toMatchObject({ score: 0.3 });
      // The snapshot itself is left as loaded.
      expect(api.app.retour.riskSnapshots.get().get('cus_noisy')?.score).toBe(0.1 + 0.2);
    } finally {
      api.app.retour.riskSnapshots.replace(before);
    }
  });
});

describe('POST /v1/risk/score in the request\'s currency', () => {
  it('takes RETOUR_RISK_HIGH_VALUE_BY_CURRENCY for the stated currency and writes the value with it', async () => {
    const own = await createTestApi({ config: { riskHighValueByCurrency: { JPY: 30_000 } } });
    try {
      const decide = async (payload: object) =>
        (await own.app.inject({ method: 'POST', url: '/v1/risk/score', headers: { authorization: `Bearer ${own.keys.service}` }, payload })).json() as { decision: string; reasons: { code: string; text: string }[] };
      expect((await decide({ customerId: 'cus_stranger', currency: 'JPY', lines: [line({ unitPrice: 25_000 })] })).decision).toBe('approve');
      const expensive = await decide({ customerId: 'cus_stranger', currency: 'JPY', lines: [line({ unitPrice: 30_000 })] });
      expect(expensive.decision).toBe('inspect_before_refund');
      expect(expensive.reasons.at(-1)).toEqual({ code: 'HIGH_VALUE', text: 'return worth 30000 JPY without a score: inspect before refunding' });
      const response = await own.app.inject({ method: 'POST', url: '/v1/risk/score', headers: { authorization: `Bearer ${own.keys.service}` }, payload: { customerId: 'cus_stranger', currency: 'yen', lines: [line()] } });
      expect(response.statusCode).toBe(400);
      // The events' currency list: a code no order can be in (XYZ, the testing code XTS) is refused, not priced with 2 decimals.
      for (const currency of ['XYZ', 'XTS']) {
        const refused = await own.app.inject({ method: 'POST', url: '/v1/risk/score', headers: { authorization: `Bearer ${own.keys.service}` }, payload: { customerId: 'cus_stranger', currency, lines: [line()] } });
        expect(refused.statusCode, currency).toBe(400);
        expect(refused.json(), currency).toMatchObject({ code: 'RETOUR_BAD_REQUEST' });
        expect(JSON.stringify(refused.json()), currency).toContain('currency');
      }
    } finally {
      await own.close();
    }
  });
});

describe('POST /v1/risk/score with configured tier thresholds', () => {
  it('decides with RETOUR_RISK_REVIEW_THRESHOLD and RETOUR_RISK_HIGH_THRESHOLD, as the risk job tiered the customer', async () => {
    // The route used the default 0.5 / 0.8: with high from 0.9, a 0.85 customer of the review tier was sent to review.
    const own = await createTestApi({ config: { riskReviewThreshold: 0.6, riskHighThreshold: 0.9 } });
    try {
      own.app.retour.riskSnapshots.replace(new Map([
        ['cus_mid', snapshot('cus_mid', { score: 0.85, tier: 'review' })],
        ['cus_under', snapshot('cus_under', { score: 0.55, tier: 'low' })],
      ]));
      const decide = async (customerId: string) =>
        (await own.app.inject({ method: 'POST', url: '/v1/risk/score', headers: { authorization: `Bearer ${own.keys.service}` }, payload: { customerId, lines: [line()] } })).json() as { decision: string; reasons: { code: string; text: string }[] };
      const mid = await decide('cus_mid');
      expect(mid.decision).toBe('inspect_before_refund');
      expect(mid.reasons).toEqual([{ code: 'RISK_TIER', text: "score 0.8500 is in the review tier (review from 0.6, high from 0.9); no rule found evidence of abuse in the customer's history" }]);
      expect((await decide('cus_under')).decision).toBe('approve');
    } finally {
      await own.close();
    }
  });
});
