import { describe, expect, it } from 'vitest';
import { emptyRiskFeatureValues } from '../../../models/risk/risk-feature-names.ts';
import { scoreCustomerRisk } from '../../../models/risk/score-customer-risk.ts';

describe('scoreCustomerRisk', () => {
  const swapper = { ...emptyRiskFeatureValues(), not_declared_90d: 2, not_declared_365d: 2 };

  it('scores by the rules alone, explicitly without a model version, before any model exists', () => {
    const result = scoreCustomerRisk(swapper, { kind: 'no-model' });
    expect(result).toMatchObject({ status: 'scored', score: 0.9, tier: 'high', modelVersion: null, fraudTypeHint: 'item_swap', evidenceCount: 2 });
    expect(result.reasons.map((reason) => reason.code)).toEqual(['NOT_DECLARED_ITEM']);
  });

  it('combines the calibrated model probability with the rules and explains the model with its strongest features', () => {
    const result = scoreCustomerRisk(swapper, { kind: 'scored', probability: 0.5, version: 'rf-1', topFeatures: ['not_declared_365d', 'item_return_rate_365d'] });
    expect(result.score).toBeCloseTo(1 - 0.5 * 0.1, 12);
    expect(result.reasons[1]).toEqual({
      code: 'MODEL_PATTERN',
      text: 'fraud model rf-1 rates the pattern 0.50 (strongest signals: not_declared_365d = 2, item_return_rate_365d = missing)',
      weight: 0.5,
    });
  });

  it('is unscored — score null, never 0 — when the model failed, keeping the rule reasons', () => {
    const result = scoreCustomerRisk(swapper, { kind: 'failed', error: 'worker crashed', version: 'rf-1' });
    expect(result).toMatchObject({ status: 'unscored', score: null, tier: 'unscored', unscoredReason: 'worker crashed', modelVersion: 'rf-1' });
    expect(result.reasons).toHaveLength(1);
    expect(scoreCustomerRisk(swapper, { kind: 'scored', probability: Number.NaN, version: 'rf-1', topFeatures: [] }).status).toBe('unscored');
  });

  it('leaves a customer with no evidence and a low model score in the low tier, without reasons', () => {
    const result = scoreCustomerRisk({ ...emptyRiskFeatureValues(), item_return_rate_365d: 0.9 }, { kind: 'scored', probability: 0.05, version: 'rf-1', topFeatures: [] });
    expect(result).toMatchObject({ tier: 'low', reasons: [], fraudTypeHint: null });
  });
});
