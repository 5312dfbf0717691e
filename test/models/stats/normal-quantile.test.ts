import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../../models/stats/normal-cdf.ts';
import { normalQuantile } from '../../../models/stats/normal-quantile.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/stats_reference.py. mpmath (40 digits) solves ncdf(x) = p with
// findroot, which settles the last digit where scipy's ndtri and AS241 differ by an ulp.
describe('normalQuantile', () => {
  it('matches the true quantiles to double precision in each branch of AS241', () => {
    expect(normalQuantile(0.5)).toBe(0); // scipy 1.17.1: scipy.stats.norm.ppf(0.5) = 0.0
    expectRelativelyClose(normalQuantile(0.3), -0.52440051270804081597, 1e-15); // mpmath; scipy norm.ppf(0.3) = -0.5244005127080409
    expectRelativelyClose(normalQuantile(0.975), 1.9599639845400538556, 1e-15); // mpmath; scipy norm.ppf(0.975) = 1.959963984540054
    expectRelativelyClose(normalQuantile(0.025), -1.9599639845400542118, 1e-15); // mpmath; scipy norm.ppf(0.025) = -1.9599639845400545
    expectRelativelyClose(normalQuantile(0.999999), 4.7534243088170877657, 1e-15); // mpmath; scipy norm.ppf(0.999999) = 4.753424308817087
    expectRelativelyClose(normalQuantile(1e-10), -6.3613409024040561991, 1e-15); // mpmath; scipy norm.ppf(1e-10) = -6.361340902404056
    // r = sqrt(-log p) > 5: the far-tail branch.
    expectRelativelyClose(normalQuantile(1e-300), -37.047096299361199237, 1e-15); // mpmath; scipy norm.ppf(1e-300) = -37.0470962993612
    expectRelativelyClose(normalQuantile(5e-324), -38.467405617144346251, 1e-15); // mpmath; scipy norm.ppf(5e-324) = -38.467405617144344
  });

  it('maps 0 and 1 to the infinities', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('inverts normalCdf', () => {
    // In the tail d(log p)/dx ≈ |x|, so one ulp in x (x ≈ -30 at 1e-200) becomes ~|x|² ulps in p.
    for (const p of [1e-200, 1e-12, 0.001, 0.07, 0.2, 0.5, 0.81, 0.95, 0.9999]) {
      expectRelativelyClose(normalCdf(normalQuantile(p)), p, 1e-12);
    }
  });

  it('rejects probabilities outside [0, 1]', () => {
    expect(() => normalQuantile(-0.1)).toThrow(/p must be a probability in \[0, 1\], got -0.1/);
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });
});
