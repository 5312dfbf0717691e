import { describe, expect, it } from 'vitest';
import { brierScore } from '../../../models/metrics/brier-score.ts';
import { lcgDataset } from './lcg-dataset.ts';
import { smallLabels, smallScores } from './small-dataset.ts';

// References: python3 scripts/reference/metrics_reference.py (scikit-learn 1.9.1 brier_score_loss).
describe('brierScore', () => {
  it('matches scikit-learn', () => {
    expect(brierScore(smallScores, smallLabels)).toBeCloseTo(0.23916666666666664, 15); // brier_score_loss(y, s)
    const { scores, labels } = lcgDataset(20_000, 12345);
    expect(brierScore(scores, labels)).toBeCloseTo(0.3157697493, 14); // brier_score_loss(y, s) on the LCG dataset
  });

  it('handles probabilities of exactly 0 and 1', () => {
    // brier_score_loss([0, 1, 1, 0, 1], [0.0, 1.0, 0.0, 1.0, 0.5]) = 0.45
    expect(brierScore([0, 1, 0, 1, 0.5], [0, 1, 1, 0, 1])).toBeCloseTo(0.45, 15);
    expect(brierScore([0, 1], [0, 1])).toBe(0);
  });

  it('rejects values that are not probabilities', () => {
    expect(() => brierScore([0.2, 1.5], [0, 1])).toThrow('brierScore: probabilities must be in [0, 1], got probabilities[1] = 1.5');
    expect(() => brierScore([0.2], [0.5])).toThrow(/labels must be 0 or 1/);
  });
});
