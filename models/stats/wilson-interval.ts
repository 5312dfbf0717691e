import { normalQuantile } from './normal-quantile.ts';

/** A two-sided confidence interval for a proportion. */
export interface ProportionInterval {
  lower: number;
  upper: number;
}

export interface WilsonIntervalOptions {
  /** Two-sided confidence level in (0, 1). Default 0.95. */
  confidence?: number;
}

/**
 * Wilson score interval for a binomial proportion `successes / trials`.
 *
 * Unlike the Wald interval it stays inside [0, 1] and keeps sensible width at 0 and at `trials`
 * successes, which is why quality rates with few returns use it. Behaviour at the edges:
 * - `trials = 0`: nothing is known, so the interval is the whole range `[0, 1]`;
 * - `successes = 0`: `lower` is exactly 0; `successes = trials`: `upper` is exactly 1.
 * Counts need not be integers (weighted counts are accepted).
 *
 * Matches statsmodels `proportion_confint(successes, trials, alpha=1-confidence, method='wilson')`.
 *
 * @param successes count of successes, finite, 0 <= successes <= trials
 * @param trials count of trials, finite, >= 0
 * @param options `confidence` (default 0.95)
 * @returns `{ lower, upper }`
 * @throws {RangeError} when a count or the confidence level is out of range
 *
 * @example
 * wilsonInterval(3, 10); // { lower: 0.10779126740630087, upper: 0.6032218525388546 }
 * wilsonInterval(0, 0); // { lower: 0, upper: 1 }
 */
export function wilsonInterval(
  successes: number,
  trials: number,
  options: WilsonIntervalOptions = {},
): ProportionInterval {
  const confidence = options.confidence ?? 0.95;
  if (!(Number.isFinite(trials) && trials >= 0)) throw new RangeError(`trials must be a finite number >= 0, got ${trials}`);
  if (!(Number.isFinite(successes) && successes >= 0 && successes <= trials)) {
    throw new RangeError(`successes must be a finite number in [0, trials = ${trials}], got ${successes}`);
  }
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (trials === 0) return { lower: 0, upper: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const rate = successes / trials;
  const denominator = 1 + z2 / trials;
  const center = (rate + z2 / (2 * trials)) / denominator;
  const halfWidth = (z * Math.sqrt((rate * (1 - rate)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At the edges the formula gives 0 and 1 up to rounding; pin them so that "no returns" reads 0.
  const lower = successes === 0 ? 0 : Math.max(0, center - halfWidth);
  const upper = successes === trials ? 1 : Math.min(1, center + halfWidth);
  return { lower, upper };
}
