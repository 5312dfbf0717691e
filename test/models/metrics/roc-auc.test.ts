import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../../models/metrics/roc-auc.ts';
import { lcgDataset } from './lcg-dataset.ts';
import { smallLabels, smallScores } from './small-dataset.ts';

// References: python3 scripts/reference/metrics_reference.py (scikit-learn 1.9.1).
describe('rocAuc', () => {
  it('matches scikit-learn on the small dataset with ties', () => {
    expect(rocAuc(smallScores, smallLabels)).toBeCloseTo(0.7000000000000001, 15); // roc_auc_score(y, s)
  });

  it('matches scikit-learn on the 20 000-row LCG dataset', () => {
    const { scores, labels } = lcgDataset(20_000, 12345);
    expect(rocAuc(scores, labels)).toBeCloseTo(0.6668195522224627, 14); // roc_auc_score(y, s)
  });

  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 when everything ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5], [0, 1, 0])).toBe(0.5);
  });

  it('does not depend on row order', () => {
    const { scores, labels } = lcgDataset(2_000, 7);
    const reversedScores = Float64Array.from(scores).reverse();
    const reversedLabels = Uint8Array.from(labels).reverse();
    expect(rocAuc(reversedScores, reversedLabels)).toBe(rocAuc(scores, labels));
  });

  it('refuses input without both classes', () => {
    expect(() => rocAuc([0.1, 0.2], [1, 1])).toThrow(/rocAuc: needs at least one negative label/);
    expect(() => rocAuc([0.1, 0.2], [0, 0])).toThrow(/rocAuc: needs at least one positive label/);
    expect(() => rocAuc([0.1], [0, 1])).toThrow(/same length/);
  });
});
