import { binomialTailGreater } from './binomial-tail-greater.ts';

export interface PoissonCounts {
  /** Events counted; an integer >= 0. */
  events: number;
  /** Exposure the events were counted over (units, unit-days…); finite, > 0, need not be an integer. */
  exposure: number;
}

/**
 * One-sided exact conditional test for "the current event rate is higher than the baseline rate"
 * when both counts are Poisson with rates proportional to their exposures (the C-test of
 * Przyborowski & Wilenski): given the total x₁ + x₂, x₁ ~ Binomial(x₁ + x₂, e₁ / (e₁ + e₂)) under
 * equal rates, so the p-value is that binomial's upper tail at x₁.
 *
 * Quality alerts use it rather than Fisher's test because the current exposure is not a whole
 * number of units: cohorts younger than the detection horizon count as the share of their returns
 * that has had time to arrive. For rare events it agrees closely with Fisher's test on the same
 * units.
 * Matches statsmodels `statsmodels.stats.rates.test_poisson_2indep(x₁, e₁, x₂, e₂,
 * method='exact-cond', alternative='larger').pvalue`.
 *
 * @throws {RangeError} when a count is not a non-negative integer or an exposure is not positive
 *
 * @example
 * poissonRateRatioGreater({ current: { events: 12, exposure: 200 }, baseline: { events: 30, exposure: 1500 } }); // ≈ 0.0025831
 */
export function poissonRateRatioGreater(input: { current: PoissonCounts; baseline: PoissonCounts }): number {
  const { current, baseline } = input;
  for (const [name, counts] of [['current', current], ['baseline', baseline]] as const) {
    if (!(Number.isInteger(counts.events) && counts.events >= 0)) throw new RangeError(`${name}.events must be an integer >= 0, got ${counts.events}`);
    if (!(Number.isFinite(counts.exposure) && counts.exposure > 0)) throw new RangeError(`${name}.exposure must be a finite number > 0, got ${counts.exposure}`);
  }
  return binomialTailGreater({
    successes: current.events,
    trials: current.events + baseline.events,
    probability: current.exposure / (current.exposure + baseline.exposure),
  });
}
