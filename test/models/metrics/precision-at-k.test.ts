import { describe, expect, it } from 'vitest';
import { precisionAtK } from '../../../models/metrics/precision-at-k.ts';
import { lcgDataset } from './lcg-dataset.ts';
import { smallLabels, smallScores } from './small-dataset.ts';

// References: python3 scripts/reference/metrics_reference.py, function precision_at_k (numpy 2.4.6):
// scikit-learn has no top-k precision for binary scores, so the script computes the same definition
// (ties at the cut-off share the remaining slots) independently with numpy.
describe('precisionAtK', () => {
  it('matches the numpy reference on the small dataset, with ties at the cut-off', () => {
    expect(precisionAtK(smallScores, smallLabels, 1)).toBe(1); // precision_at_k(s, y, 1) = 1.0
    expect(precisionAtK(smallScores, smallLabels, 2)).toBeCloseTo(0.75, 15); // k=2 cuts the tied 0.8 pair (one positive)
    expect(precisionAtK(smallScores, smallLabels, 3)).toBeCloseTo(0.6666666666666666, 15); // precision_at_k(s, y, 3)
    expect(precisionAtK(smallScores, smallLabels, 4)).toBeCloseTo(0.5833333333333334, 15); // k=4 cuts the tied 0.7 triple
    expect(precisionAtK(smallScores, smallLabels, 6)).toBeCloseTo(0.5, 15); // precision_at_k(s, y, 6)
    expect(precisionAtK(smallScores, smallLabels, 12)).toBeCloseTo(0.4166666666666667, 15); // all rows: the positive rate
  });

  it('matches the numpy reference on the LCG dataset', () => {
    const { scores, labels } = lcgDataset(20_000, 12345);
    expect(precisionAtK(scores, labels, 1)).toBeCloseTo(0.16666666666666666, 15); // precision_at_k(s, y, 1)
    expect(precisionAtK(scores, labels, 10)).toBeCloseTo(0.2, 15); // precision_at_k(s, y, 10)
    expect(precisionAtK(scores, labels, 50)).toBeCloseTo(0.20129032258064516, 15); // precision_at_k(s, y, 50)
    expect(precisionAtK(scores, labels, 333)).toBeCloseTo(0.15615615615615616, 15); // precision_at_k(s, y, 333)
    expect(precisionAtK(scores, labels, 2000)).toBeCloseTo(0.16505, 15); // precision_at_k(s, y, 2000)
  });

  it('does not depend on row order among ties', () => {
    expect(precisionAtK([0.8, 0.8, 0.9], [1, 0, 0], 2)).toBe(precisionAtK([0.8, 0.8, 0.9], [0, 1, 0], 2));
  });

  it('rejects k outside [1, rows]', () => {
    expect(() => precisionAtK([0.1, 0.2], [0, 1], 0)).toThrow('precisionAtK: k must be an integer in [1, 2] (the number of rows), got 0');
    expect(() => precisionAtK([0.1, 0.2], [0, 1], 3)).toThrow(RangeError);
    expect(() => precisionAtK([0.1, 0.2], [0, 1], 1.5)).toThrow(RangeError);
  });
});
