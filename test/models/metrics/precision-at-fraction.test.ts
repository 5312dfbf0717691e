import { describe, expect, it } from 'vitest';
import { precisionAtFraction } from '../../../models/metrics/precision-at-fraction.ts';
import { precisionAtK } from '../../../models/metrics/precision-at-k.ts';
import { lcgDataset } from './lcg-dataset.ts';

describe('precisionAtFraction', () => {
  it('takes ceil(fraction · rows) rows from the top', () => {
    const { scores, labels } = lcgDataset(20_000, 12345);
    // 1% of 20 000 = 200 rows; 1.665% → 333 rows.
    expect(precisionAtFraction(scores, labels, 0.01)).toBe(precisionAtK(scores, labels, 200));
    expect(precisionAtFraction(scores, labels, 0.01665)).toBe(precisionAtK(scores, labels, 333));
    // 10% of 20 000 = 2000 rows: precision_at_k(s, y, 2000) = 0.16505 (scripts/reference/metrics_reference.py).
    expect(precisionAtFraction(scores, labels, 0.1)).toBeCloseTo(0.16505, 15);
  });

  it('is not fooled by floating-point products and takes at least one row', () => {
    const scores = Array.from({ length: 300 }, (_, i) => i / 300);
    const labels = scores.map((_, i) => (i >= 297 ? 1 : 0));
    // 0.01 · 300 = 3.0000000000000004 in doubles; k must be 3 (all positives), not 4.
    expect(precisionAtFraction(scores, labels, 0.01)).toBe(1);
    expect(precisionAtFraction(scores, labels, 1e-9)).toBe(1);
  });

  it('rejects a fraction outside (0, 1]', () => {
    expect(() => precisionAtFraction([0.1], [1], 0)).toThrow('precisionAtFraction: fraction must be in (0, 1], got 0');
    expect(() => precisionAtFraction([0.1], [1], 1.01)).toThrow(RangeError);
    expect(() => precisionAtFraction([], [], 0.5)).toThrow(/at least one row/);
  });
});
