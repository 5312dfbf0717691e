import { describe, expect, it } from 'vitest';
import { combineRiskScore } from '../../../models/risk/combine-risk-score.ts';
import { riskTier } from '../../../models/risk/risk-tier.ts';

describe('riskTier', () => {
  it('cuts at the review and high thresholds, inclusive', () => {
    expect([0, 0.49, 0.5, 0.79, 0.8, 1].map((score) => riskTier(score))).toEqual(['low', 'low', 'review', 'review', 'high', 'high']);
    expect(riskTier(0.3, { review: 0.3, high: 0.6 })).toBe('review');
  });
  it('refuses scores outside [0, 1] and inverted thresholds', () => {
    expect(() => riskTier(Number.NaN)).toThrow(/score must be in \[0, 1\]/);
    expect(() => riskTier(0.5, { review: 0.9, high: 0.5 })).toThrow(/review ≤ high/);
  });
});

describe('combineRiskScore', () => {
  it('is the noisy-OR of the evidence', () => {
    expect(combineRiskScore([0.5, 0.5])).toBe(0.75);
    expect(combineRiskScore([0.2, 0.5, 0.9])).toBeCloseTo(1 - 0.8 * 0.5 * 0.1, 15);
    expect(combineRiskScore([])).toBe(0);
    expect(() => combineRiskScore([1.5])).toThrow(RangeError);
  });
});
