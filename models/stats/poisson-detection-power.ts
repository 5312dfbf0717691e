import { regularizedGamma } from './regularized-gamma.ts';

export interface PoissonDetectionPowerInput {
  /** Expected count when nothing changed (baseline rate × exposure); > 0. */
  nullMean: number;
  /** Expected count under the change to detect (e.g. nullMean × uplift); > 0. */
  alternativeMean: number;
  /** One-sided significance level the count must reach, in (0, 1). */
  level: number;
}

export interface PoissonDetectionPower {
  /** The smallest count c with P(X >= c) <= level when X ~ Poisson(nullMean). */
  criticalCount: number;
  /** P(Y >= criticalCount) with Y ~ Poisson(alternativeMean). */
  power: number;
}

/**
 * Power of a one-sided exact Poisson test with a known null mean: how likely a change that moves
 * the expected count from `nullMean` to `alternativeMean` is to reach `level`. With the baseline
 * rate taken as known it is an upper bound on what a test that also estimates the baseline can do,
 * so it shows which changes are undetectable at a product's volume whatever the method.
 *
 * Uses P(X >= c) = P(c, λ), the regularized lower incomplete gamma function, for c >= 1.
 * Matches scipy: criticalCount = `scipy.stats.poisson.isf(level, nullMean) + 1` (for a level that
 * is not exactly a tail value), power = `scipy.stats.poisson.sf(criticalCount - 1, alternativeMean)`.
 *
 * @throws {RangeError} when a mean is not a finite positive number or the level is outside (0, 1)
 *
 * @example
 * poissonDetectionPower({ nullMean: 6, alternativeMean: 16.8, level: 1e-4 }); // { criticalCount: 18, power: ≈ 0.41 }
 */
export function poissonDetectionPower(input: PoissonDetectionPowerInput): PoissonDetectionPower {
  const { nullMean, alternativeMean, level } = input;
  if (!(Number.isFinite(nullMean) && nullMean > 0)) throw new RangeError(`nullMean must be a finite number > 0, got ${nullMean}`);
  if (!(Number.isFinite(alternativeMean) && alternativeMean > 0)) throw new RangeError(`alternativeMean must be a finite number > 0, got ${alternativeMean}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  // Start near the mean (the tail there is ~1/2 > level) and walk up; tails fall fast past it.
  let count = Math.max(1, Math.floor(nullMean));
  while (regularizedGamma(count, nullMean).lower > level) count++;
  return { criticalCount: count, power: regularizedGamma(count, alternativeMean).lower };
}
