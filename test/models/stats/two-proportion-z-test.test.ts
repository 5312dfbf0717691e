import { describe, expect, it } from 'vitest';
import { twoProportionZTest } from '../../../models/stats/two-proportion-z-test.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/stats_reference.py (statsmodels 0.15.0
// statsmodels.stats.proportion.proportions_ztest([x_current, x_baseline], [n_current, n_baseline], alternative=…),
// which pools the variance by default).
describe('twoProportionZTest', () => {
  it('matches statsmodels for a rise in the current rate', () => {
    const result = twoProportionZTest({ current: { successes: 30, trials: 200 }, baseline: { successes: 100, trials: 1000 } });
    expectRelativelyClose(result.z, 2.0768831372467766, 1e-14); // proportions_ztest([30, 100], [200, 1000]) z
    expectRelativelyClose(result.pValueGreater, 0.018906173239787518, 1e-14); // alternative='larger' p
    expectRelativelyClose(result.pValueTwoSided, 0.037812346479575036, 1e-14); // alternative='two-sided' p
    expect(result.currentRate).toBe(0.15);
    expect(result.baselineRate).toBe(0.1);
    expectRelativelyClose(result.pooledRate, 130 / 1200, 1e-15);
  });

  it('keeps small p-values accurate for a large shift', () => {
    const result = twoProportionZTest({ current: { successes: 200, trials: 1000 }, baseline: { successes: 100, trials: 1000 } });
    expectRelativelyClose(result.z, 6.262242910851494, 1e-14); // proportions_ztest([200, 100], [1000, 1000]) z
    expectRelativelyClose(result.pValueGreater, 1.897395941572477e-10, 1e-13); // alternative='larger' p
    expectRelativelyClose(result.pValueTwoSided, 3.794791883144954e-10, 1e-13); // alternative='two-sided' p
  });

  it('handles zero successes in one group and a fall in the rate', () => {
    const result = twoProportionZTest({ current: { successes: 0, trials: 150 }, baseline: { successes: 12, trials: 900 } });
    expectRelativelyClose(result.z, -1.4223647166895124, 1e-14); // proportions_ztest([0, 12], [150, 900]) z
    expectRelativelyClose(result.pValueGreater, 0.9225397998031837, 1e-14); // alternative='larger' p
    expectRelativelyClose(result.pValueTwoSided, 0.15492040039363253, 1e-14); // alternative='two-sided' p
  });

  it('gives z = 0, p = 0.5 one-sided and p = 1 two-sided for equal rates', () => {
    const result = twoProportionZTest({ current: { successes: 5, trials: 100 }, baseline: { successes: 50, trials: 1000 } });
    // proportions_ztest([5, 50], [100, 1000]) -> z = 0.0; 'larger' p = 0.5; 'two-sided' p = 1.0
    expect(result.z).toBe(0);
    expect(result.pValueGreater).toBe(0.5);
    expect(result.pValueTwoSided).toBe(1);
  });

  it('handles a tiny group', () => {
    const result = twoProportionZTest({ current: { successes: 1, trials: 3 }, baseline: { successes: 0, trials: 5 } });
    expectRelativelyClose(result.z, 1.3801311186847083, 1e-14); // proportions_ztest([1, 0], [3, 5]) z
    expectRelativelyClose(result.pValueGreater, 0.08377313874430864, 1e-14); // alternative='larger' p
  });

  it('returns "no evidence" when the pooled variance is zero', () => {
    // statsmodels: proportions_ztest([0, 0], [100, 200]) and ([100, 200], [100, 200]) -> z = nan, p = nan
    for (const successes of [[0, 0], [100, 200]] as const) {
      const result = twoProportionZTest({
        current: { successes: successes[0], trials: 100 },
        baseline: { successes: successes[1], trials: 200 },
      });
      expect(result).toMatchObject({ z: 0, pValueGreater: 1, pValueTwoSided: 1, standardError: 0 });
    }
  });

  it('rejects a group without trials and impossible counts', () => {
    const baseline = { successes: 1, trials: 10 };
    expect(() => twoProportionZTest({ current: { successes: 0, trials: 0 }, baseline })).toThrow(
      /current.trials must be a finite number >= 1, got 0/,
    );
    expect(() => twoProportionZTest({ current: baseline, baseline: { successes: 11, trials: 10 } })).toThrow(
      /baseline.successes must be a finite number in \[0, baseline.trials = 10\], got 11/,
    );
    expect(() => twoProportionZTest({ current: { successes: Number.NaN, trials: 10 }, baseline })).toThrow(RangeError);
  });
});
