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
