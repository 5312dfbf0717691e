import { normalSurvival } from './normal-survival.ts';

/** Successes out of trials for one group, e.g. returned units out of delivered units. */
export interface ProportionCounts {
  successes: number;
  trials: number;
}

export interface TwoProportionZTestInput {
  /** The group under test (e.g. this week's delivery cohort). */
  current: ProportionCounts;
  /** The reference group (e.g. the trailing baseline). */
  baseline: ProportionCounts;
}

export interface TwoProportionZTestResult {
  /** (currentRate - baselineRate) / standardError; 0 when the pooled variance is 0. */
  z: number;
  /** One-sided p-value for "current rate > baseline rate". */
  pValueGreater: number;
  /** Two-sided p-value for "current rate ≠ baseline rate". */
  pValueTwoSided: number;
  currentRate: number;
  baselineRate: number;
  pooledRate: number;
  /** sqrt(pooled (1 - pooled) (1/n₁ + 1/n₂)). */
  standardError: number;
}

/**
 * Pooled two-proportion z test (the score test under H0: both rates are equal).
 *
 * Matches statsmodels `proportions_ztest([x₁, x₂], [n₁, n₂], alternative='larger' | 'two-sided')`.
 * Defined behaviour where statsmodels returns NaN or ±inf: when both groups are all failures or
 * all successes (pooled rate 0 or 1) the variance is 0 and there is no evidence of a difference,
 * so `z = 0` and both p-values are 1. Zero successes in one group is an ordinary case.
 * The normal approximation is poor for small counts; callers apply their minimum-units rule first.
 *
 * @param input `{ current, baseline }` counts; trials >= 1, 0 <= successes <= trials, finite
 * @returns z, one- and two-sided p-values, and the rates behind them
 * @throws {RangeError} when a count is out of range (including a group with 0 trials, which has no rate)
 *
 * @example
 * twoProportionZTest({ current: { successes: 30, trials: 200 }, baseline: { successes: 100, trials: 1000 } });
 * // { z: 2.0701966780270626, pValueGreater: 0.01921..., pValueTwoSided: 0.03843..., ... }
 */
export function twoProportionZTest(input: TwoProportionZTestInput): TwoProportionZTestResult {
  const { current, baseline } = input;
  assertCounts(current, 'current');
  assertCounts(baseline, 'baseline');
  const currentRate = current.successes / current.trials;
  const baselineRate = baseline.successes / baseline.trials;
  const pooledRate = (current.successes + baseline.successes) / (current.trials + baseline.trials);
  const standardError = Math.sqrt(pooledRate * (1 - pooledRate) * (1 / current.trials + 1 / baseline.trials));
  if (standardError === 0) {
    return { z: 0, pValueGreater: 1, pValueTwoSided: 1, currentRate, baselineRate, pooledRate, standardError };
  }
  const z = (currentRate - baselineRate) / standardError;
  return {
    z,
    pValueGreater: normalSurvival(z),
    pValueTwoSided: Math.min(1, 2 * normalSurvival(Math.abs(z))),
    currentRate,
    baselineRate,
    pooledRate,
    standardError,
  };
}

function assertCounts(counts: ProportionCounts, name: string): void {
  const { successes, trials } = counts;
  if (!(Number.isFinite(trials) && trials >= 1)) {
    throw new RangeError(`${name}.trials must be a finite number >= 1, got ${trials}`);
  }
  if (!(Number.isFinite(successes) && successes >= 0 && successes <= trials)) {
    throw new RangeError(`${name}.successes must be a finite number in [0, ${name}.trials = ${trials}], got ${successes}`);
  }
}
