import { gammaln } from 'simple-statistics';

export interface BinomialTailGreaterInput {
  /** Observed successes k; an integer, 0 <= k <= trials. */
  successes: number;
  /** Trials n; an integer >= 0. */
  trials: number;
  /** Success probability p under the null hypothesis, in [0, 1]. */
  probability: number;
}

/**
 * Upper tail of the binomial distribution, P(X >= k) with X ~ Binomial(n, p): the one-sided p-value
 * of an exact binomial test for "the success probability is higher than p".
 *
 * The terms are summed from k upward with the pmf recurrence, starting from one log-space term, so
 * tiny tails (the ones Benjamini–Hochberg acts on) keep their relative accuracy, and the loop stops
 * once the terms no longer count.
 * Matches scipy `scipy.stats.binomtest(k, n, p, alternative='greater').pvalue`.
 *
 * @returns the p-value in [0, 1]; 1 when k = 0
 * @throws {RangeError} when a count is not an integer, k > n, or p is outside [0, 1]
 *
 * @example
 * binomialTailGreater({ successes: 12, trials: 40, probability: 0.15 }); // ≈ 0.011969
 */
export function binomialTailGreater(input: BinomialTailGreaterInput): number {
  const { successes: k, trials: n, probability: p } = input;
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`trials must be an integer >= 0, got ${n}`);
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new RangeError(`successes must be an integer in [0, trials = ${n}], got ${k}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`probability must be in [0, 1], got ${p}`);
  if (k === 0) return 1;
  if (p === 0) return 0;
  if (p === 1) return 1;
  const logTerm = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  let term = Math.exp(logTerm);
  let sum = 0;
  const odds = p / (1 - p);
  for (let j = k; j <= n; j++) {
    sum += term;
    // pmf(j + 1) / pmf(j); past the mode the terms only shrink, so stop once they no longer count.
    term *= ((n - j) / (j + 1)) * odds;
    if (term < sum * 1e-17 && j + 1 > n * p) break;
  }
  return Math.min(1, sum);
}
