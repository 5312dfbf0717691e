import { describe, expect, it } from 'vitest';
import { normalSurvival } from '../../../models/stats/normal-survival.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/stats_reference.py (scipy 1.17.1, mpmath 1.3.0 at 40 digits).
describe('normalSurvival', () => {
  it('matches scipy in the body of the distribution', () => {
    expect(normalSurvival(0)).toBe(0.5); // scipy 1.17.1: scipy.stats.norm.sf(0.0) = 0.5
    expectRelativelyClose(normalSurvival(0.5), 0.3085375387259869, 1e-15); // scipy: norm.sf(0.5)
    expectRelativelyClose(normalSurvival(1), 0.15865525393145707, 1e-15); // scipy: norm.sf(1.0)
    expectRelativelyClose(normalSurvival(-1.5), 0.9331927987311419, 1e-15); // scipy: norm.sf(-1.5)
    expectRelativelyClose(normalSurvival(3), 0.0013498980316300945267, 1e-15); // mpmath: ncdf(-3); scipy norm.sf(3.0) = 0.0013498980316300933
    expectRelativelyClose(normalSurvival(5.7), 5.99037140106353e-9, 1e-14); // scipy: norm.sf(5.7) = 5.99037140106353e-09
  });

  it('keeps relative accuracy far in the upper tail (z = 8, 20, 37)', () => {
    expectRelativelyClose(normalSurvival(8), 6.2209605742717841235e-16, 1e-14); // mpmath: ncdf(-8); scipy norm.sf(8) = 6.22096057427174e-16
    expectRelativelyClose(normalSurvival(20), 2.7536241186062336951e-89, 1e-14); // mpmath: ncdf(-20); scipy norm.sf(20) = 2.7536241186061556e-89
    expectRelativelyClose(normalSurvival(37), 5.7255712225245768227e-300, 1e-14); // mpmath: ncdf(-37); scipy norm.sf(37) = 5.7255712225239266e-300
    // 1 - cdf would already be 0 here:
    expect(normalSurvival(9)).toBeGreaterThan(0);
  });

  it('is close to 1 on the far left', () => {
    expect(normalSurvival(-37)).toBe(1); // scipy: norm.sf(-37.0) = 1.0
    expectRelativelyClose(normalSurvival(-5.5), 0.9999999810104375, 1e-15); // scipy: norm.sf(-5.5)
  });

  it('rejects NaN', () => {
    expect(() => normalSurvival(Number.NaN)).toThrow(/must be a number/);
  });
});
