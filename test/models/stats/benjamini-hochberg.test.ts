import { describe, expect, it } from 'vitest';
import { benjaminiHochberg } from '../../../models/stats/benjamini-hochberg.ts';

function expectAllClose(actual: Float64Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  // statsmodels computes p·m/rank in another order, so the last bit may differ.
  actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 15));
}

// References: scripts/reference/stats_reference.py
// (statsmodels 0.15.0 statsmodels.stats.multitest.multipletests(p, method='fdr_bh')[1]).
describe('benjaminiHochberg', () => {
  it('matches statsmodels on unsorted input', () => {
    // multipletests([0.01, 0.04, 0.03, 0.2], method='fdr_bh')[1] = [0.04, 0.05333333333333334, 0.05333333333333334, 0.2]
    expectAllClose(benjaminiHochberg([0.01, 0.04, 0.03, 0.2]), [0.04, 0.05333333333333334, 0.05333333333333334, 0.2]);
  });

  it('gives ties the same q-value, in input order', () => {
    const p = [0.04, 0.001, 0.04, 0.5, 0.04, 0.0001, 0.9, 0.02];
    // multipletests(p, method='fdr_bh')[1]
    const expected = [0.05333333333333334, 0.004, 0.05333333333333334, 0.5714285714285714, 0.05333333333333334, 0.0008, 0.9, 0.05333333333333334];
    const q = benjaminiHochberg(p);
    expectAllClose(q, expected);
    expect(q[0]).toBe(q[2]);
    expect(q[2]).toBe(q[4]);
  });

  it('handles p = 0 and p = 1 and keeps q monotone in p', () => {
    // multipletests([0.0, 1.0, 0.5, 0.5, 0.049], method='fdr_bh')[1] = [0.0, 1.0, 0.625, 0.625, 0.1225]
    expectAllClose(benjaminiHochberg([0, 1, 0.5, 0.5, 0.049]), [0, 1, 0.625, 0.625, 0.1225]);
    // multipletests([0.8, 0.9, 0.95], method='fdr_bh')[1] = [0.95, 0.95, 0.95]
    expectAllClose(benjaminiHochberg([0.8, 0.9, 0.95]), [0.95, 0.95, 0.95]);
  });

  it('never exceeds 1 and leaves a single p-value unchanged', () => {
    expectAllClose(benjaminiHochberg([0.3]), [0.3]); // multipletests([0.3], method='fdr_bh')[1] = [0.3]
    const q = benjaminiHochberg([0.9, 0.99, 0.999, 0.6]);
    for (const value of q) expect(value).toBeLessThanOrEqual(1);
  });

  it('returns an empty array for no p-values', () => {
    expect(benjaminiHochberg([]).length).toBe(0);
  });

  it('stays monotone in p and >= p over thousands of products', () => {
    const p = Float64Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 5000) / 5000);
    const q = benjaminiHochberg(p);
    for (let i = 0; i < p.length; i++) {
      for (const j of [i + 1, i + 13]) {
        if (j < p.length && p[i]! < p[j]!) expect(q[i]).toBeLessThanOrEqual(q[j]!);
      }
      expect(q[i]).toBeGreaterThanOrEqual(p[i]!);
    }
  });

  it('rejects NaN and values outside [0, 1]', () => {
    expect(() => benjaminiHochberg([0.1, Number.NaN])).toThrow(/pValues\[1\] must be a probability in \[0, 1\], got NaN/);
    expect(() => benjaminiHochberg([1.2])).toThrow(RangeError);
    expect(() => benjaminiHochberg([-0.01])).toThrow(RangeError);
  });
});
