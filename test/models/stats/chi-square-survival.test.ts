import { describe, expect, it } from 'vitest';
import { chiSquareSurvival } from '../../../models/stats/chi-square-survival.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/stats_reference.py (scipy 1.17.1 scipy.stats.chi2.sf; mpmath 1.3.0
// gammainc(df/2, x/2, inf, regularized=True) at 40 digits where scipy itself is in doubt).
describe('chiSquareSurvival', () => {
  it('matches scipy for df = 1', () => {
    expectRelativelyClose(chiSquareSurvival(3.841458820694124, 1), 0.04999999999999989, 1e-14); // scipy: chi2.sf(3.841458820694124, 1)
    expectRelativelyClose(chiSquareSurvival(0.5, 1), 0.47950012218695337, 1e-14); // scipy: chi2.sf(0.5, 1)
    expectRelativelyClose(chiSquareSurvival(100, 1), 1.5239706048321052132e-23, 1e-13); // mpmath; scipy chi2.sf(100.0, 1) = 1.5239706048320995e-23
    expectRelativelyClose(chiSquareSurvival(600, 1), 1.674167984691787762e-132, 1e-13); // mpmath; scipy chi2.sf(600.0, 1) = 1.674167984691805e-132
  });

  it('matches scipy for small and large df', () => {
    expectRelativelyClose(chiSquareSurvival(2, 2), 0.36787944117144245, 1e-14); // scipy: chi2.sf(2.0, 2) (= e^-1)
    expectRelativelyClose(chiSquareSurvival(15, 7), 0.03599940476342876, 1e-14); // scipy: chi2.sf(15.0, 7)
    expectRelativelyClose(chiSquareSurvival(150, 100), 0.0009039320423540184, 1e-13); // scipy: chi2.sf(150.0, 100)
    expectRelativelyClose(chiSquareSurvival(1000, 500), 1.2085183611329766576e-35, 1e-12); // mpmath; scipy chi2.sf(1000.0, 500) = 1.2085183611328796e-35
    expectRelativelyClose(chiSquareSurvival(1200, 1000), 1.2255942330622893e-5, 1e-12); // scipy: chi2.sf(1200.0, 1000)
  });

  it('is 1 at a statistic of 0 and 0 at infinity', () => {
    expect(chiSquareSurvival(0, 3)).toBe(1); // scipy: chi2.sf(0.0, 3) = 1.0
    expect(chiSquareSurvival(Number.POSITIVE_INFINITY, 3)).toBe(0);
  });

  it('rejects a negative statistic and df <= 0', () => {
    expect(() => chiSquareSurvival(-1, 2)).toThrow(/statistic must be a number >= 0, got -1/);
    expect(() => chiSquareSurvival(1, 0)).toThrow(/degreesOfFreedom must be a finite number > 0, got 0/);
    expect(() => chiSquareSurvival(Number.NaN, 2)).toThrow(RangeError);
  });
});
