import { describe, expect, it } from 'vitest';
import { averagePrecision } from '../../../models/metrics/average-precision.ts';
import { lcgDataset } from './lcg-dataset.ts';
import { smallLabels, smallScores } from './small-dataset.ts';

// References: python3 scripts/reference/metrics_reference.py (scikit-learn 1.9.1).
describe('averagePrecision', () => {
  it('matches scikit-learn on the small dataset with ties', () => {
    expect(averagePrecision(smallScores, smallLabels)).toBeCloseTo(0.6476190476190476, 15); // average_precision_score(y, s)
  });

  it('matches scikit-learn on the LCG dataset', () => {
    const { scores, labels } = lcgDataset(20_000, 12345);
    expect(averagePrecision(scores, labels)).toBeCloseTo(0.15424577159886882, 14); // average_precision_score(y, s)
  });

  it('is 1 for a perfect ranking and the positive rate when everything ties', () => {
    expect(averagePrecision([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(averagePrecision([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 0])).toBe(0.25);
    // Only positives: every threshold has precision 1.
    expect(averagePrecision([0.2, 0.7], [1, 1])).toBe(1);
  });

  it('needs a positive label', () => {
    expect(() => averagePrecision([0.1, 0.2], [0, 0])).toThrow(/averagePrecision: needs at least one positive label/);
  });
});
