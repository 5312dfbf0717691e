import { describe, expect, it } from 'vitest';
import { decideManualPromotion } from '../../../models/risk/decide-manual-promotion.ts';

const candidate = { version: 'b', metrics: { prAuc: 0.62, rocAuc: 0.91 }, servingComparison: { version: 'a', prAuc: 0.6, rocAuc: 0.9 }, force: false };

describe('decideManualPromotion', () => {
  it('promotes a model not worse than the one in service on the rows it was compared on', () => {
    expect(decideManualPromotion(candidate, 'a')).toEqual({
      outcome: 'promote',
      forced: false,
      decision: { promote: true, reason: 'not worse than the serving model (PR-AUC 0.6200 vs 0.6000, ROC-AUC 0.9100 vs 0.9000)' },
    });
  });

  it('says when the model is already in service, and promotes anything finite when none is', () => {
    expect(decideManualPromotion(candidate, 'b')).toEqual({ outcome: 'already_serving' });
    expect(decideManualPromotion(candidate, undefined)).toMatchObject({ outcome: 'promote', decision: { reason: 'no model in service' } });
  });

  it('refuses a worse model, or one compared with another model than the one in service, unless forced', () => {
    const worse = { ...candidate, metrics: { prAuc: 0.55, rocAuc: 0.95 } };
    expect(decideManualPromotion(worse, 'a')).toEqual({ outcome: 'refused', reason: "PR-AUC 0.5500 is below the serving model's 0.6000 on the same validation rows" });
    expect(decideManualPromotion(candidate, 'c')).toEqual({ outcome: 'refused', reason: 'b was not validated against the serving model c on the same rows; train a new model to compare' });
    expect(decideManualPromotion({ ...worse, force: true }, 'a')).toEqual({
      outcome: 'promote',
      forced: true,
      decision: { promote: true, reason: "forced by an operator: PR-AUC 0.5500 is below the serving model's 0.6000 on the same validation rows" },
    });
  });
});
