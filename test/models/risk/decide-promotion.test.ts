import { describe, expect, it } from 'vitest';
import { decidePromotion } from '../../../models/risk/decide-promotion.ts';

describe('decidePromotion', () => {
  it('promotes the first model', () => {
    expect(decidePromotion({ prAuc: 0.3, rocAuc: 0.8 }, undefined)).toEqual({ promote: true, reason: 'no model in service' });
  });
  it('does not promote a model worse on PR-AUC or ROC-AUC than the serving one', () => {
    expect(decidePromotion({ prAuc: 0.8, rocAuc: 0.97 }, { prAuc: 0.82, rocAuc: 0.96 }).promote).toBe(false);
    expect(decidePromotion({ prAuc: 0.85, rocAuc: 0.95 }, { prAuc: 0.82, rocAuc: 0.96 }).reason).toMatch(/ROC-AUC 0.9500 is below/);
  });
  it('promotes an equal or better model, and within the tolerance', () => {
    expect(decidePromotion({ prAuc: 0.82, rocAuc: 0.96 }, { prAuc: 0.82, rocAuc: 0.96 }).promote).toBe(true);
    expect(decidePromotion({ prAuc: 0.815, rocAuc: 0.96 }, { prAuc: 0.82, rocAuc: 0.96 }, 0.01).promote).toBe(true);
  });
  it('never promotes a model with undefined metrics', () => {
    expect(decidePromotion({ prAuc: Number.NaN, rocAuc: 0.9 }, undefined).promote).toBe(false);
  });
});
