import { gammaln } from 'simple-statistics';
import type { ProportionCounts } from './two-proportion-z-test.ts';

export interface FisherExactGreaterInput {
  /** The group tested for a higher rate (e.g. this window's delivery cohort). */
  current: ProportionCounts;
  /** The reference group (e.g. the trailing baseline). */
  baseline: ProportionCounts;
}

/**
 * One-sided Fisher exact test for "the current rate is higher than the baseline rate": the
 * probability, given the margins of the 2×2 table, of at least `current.successes` successes in
 * the current group, i.e. the hypergeometric upper tail P(X >= x₁) with X ~ Hypergeom(N = n₁ + n₂,
 * K = x₁ + x₂, draws n₁).
 *
 * Quality alerts use it instead of the pooled z test because the z test's upper tail is far too
 * small when few events are expected (5 faults expected, 14 seen: z gives 1.2e-4, exact 1.1e-3), and
 * Benjamini–Hochberg over thousands of products acts on exactly those far tails.
 *
 * The terms are summed from x₁ upward with the pmf recurrence, starting from one log-space term, so
 * the cost is O(min(K, n₁) - x₁) and tiny tails keep their relative accuracy.
 * Matches scipy `scipy.stats.fisher_exact([[x₁, n₁-x₁], [x₂, n₂-x₂]], alternative='greater')`.
 *
 * @param input `{ current, baseline }` integer counts; trials >= 1, 0 <= successes <= trials
 * @returns the one-sided p-value in [0, 1]
 * @throws {RangeError} when a count is not an integer or out of range
 *
 * @example
 * fisherExactGreater({ current: { successes: 14, trials: 100 }, baseline: { successes: 50, trials: 1000 } }); // ≈ 0.0010877
 */
export function fisherExactGreater(input: FisherExactGreaterInput): number {
  const { current, baseline } = input;
  assertIntegerCounts(current, 'current');
  assertIntegerCounts(baseline, 'baseline');
  const draws = current.trials;
  const population = current.trials + baseline.trials;
  const marked = current.successes + baseline.successes;
  const observed = current.successes;
  const highest = Math.min(marked, draws);
  const lowest = Math.max(0, draws - (population - marked));
  if (observed <= lowest) return 1;
  let term = Math.exp(logChoose(marked, observed) + logChoose(population - marked, draws - observed) - logChoose(population, draws));
  let sum = 0;
  for (let j = observed; j <= highest; j++) {
    sum += term;
    // pmf(j + 1) / pmf(j); past the mode the terms only shrink, so stop once they no longer count.
    term *= ((marked - j) * (draws - j)) / ((j + 1) * (population - marked - draws + j + 1));
    if (term < sum * 1e-17) break;
  }
  return Math.min(1, sum);
}

function logChoose(n: number, k: number): number {
  if (k === 0 || k === n) return 0;
  return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1);
}

function assertIntegerCounts(counts: ProportionCounts, name: string): void {
  const { successes, trials } = counts;
  if (!(Number.isInteger(trials) && trials >= 1)) throw new RangeError(`${name}.trials must be an integer >= 1, got ${trials}`);
  if (!(Number.isInteger(successes) && successes >= 0 && successes <= trials)) {
    throw new RangeError(`${name}.successes must be an integer in [0, ${name}.trials = ${trials}], got ${successes}`);
  }
}
