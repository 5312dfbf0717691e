import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../../models/stats/normal-cdf.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/stats_reference.py (scipy 1.17.1, mpmath 1.3.0 at 40 digits).
describe('normalCdf', () => {
  it('matches scipy in the body of the distribution', () => {
    expect(normalCdf(0)).toBe(0.5); // scipy 1.17.1: scipy.stats.norm.cdf(0.0) = 0.5
    expectRelativelyClose(normalCdf(0.5), 0.6914624612740131, 1e-15); // scipy: norm.cdf(0.5)
    // Just below the split between Cody's first and second ranges.
    expectRelativelyClose(normalCdf(-0.67448975), 0.2500000000623102, 1e-15); // scipy: norm.cdf(-0.67448975)
    expectRelativelyClose(normalCdf(1), 0.8413447460685429, 1e-15); // scipy: norm.cdf(1.0)
    expectRelativelyClose(normalCdf(-1.5), 0.06680720126885807, 1e-15); // scipy: norm.cdf(-1.5)
    expectRelativelyClose(normalCdf(3), 0.9986501019683699, 1e-15); // scipy: norm.cdf(3.0)
    expectRelativelyClose(normalCdf(5.7), 0.9999999940096286, 1e-15); // scipy: norm.cdf(5.7)
  });

  it('keeps relative accuracy in the far lower tail', () => {
    expectRelativelyClose(normalCdf(-5.5), 1.898956246588768e-8, 1e-14); // scipy: norm.cdf(-5.5) = 1.898956246588768e-08
    // scipy's ndtr drifts ~1e-13 this far out, so these use mpmath at 40 digits:
    expectRelativelyClose(normalCdf(-8), 6.2209605742717841235e-16, 1e-14); // mpmath: ncdf(-8); scipy norm.cdf(-8) = 6.22096057427174e-16
    expectRelativelyClose(normalCdf(-20), 2.7536241186062336951e-89, 1e-14); // mpmath: ncdf(-20); scipy = 2.7536241186061556e-89
    expectRelativelyClose(normalCdf(-37), 5.7255712225245768227e-300, 1e-14); // mpmath: ncdf(-37); scipy norm.cdf(-37.0) = 5.7255712225239266e-300
  });

  it('saturates where the answer is not representable', () => {
    expect(normalCdf(8)).toBe(0.9999999999999993); // scipy: norm.cdf(8.0) = 0.9999999999999993
    expect(normalCdf(20)).toBe(1); // scipy: norm.cdf(20.0) = 1.0
    expect(normalCdf(-38)).toBe(0); // true value 2.9e-316 is subnormal; returned as 0 like R's pnorm
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
  });

  it('is monotone across the range boundaries of the approximation', () => {
    const points = [-37.5193, -37.5, -20, -5.656854249492381, -5.65685424949238, -0.67448976, -0.67448975, 0, 0.67448975, 0.67448976, 5.65685424949238, 5.656854249492381, 8.29];
    for (let i = 1; i < points.length; i++) expect(normalCdf(points[i]!)).toBeGreaterThanOrEqual(normalCdf(points[i - 1]!));
  });

  it('rejects NaN', () => {
    expect(() => normalCdf(Number.NaN)).toThrow(RangeError);
  });
});
