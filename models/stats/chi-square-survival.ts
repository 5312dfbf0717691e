import { regularizedGamma } from './regularized-gamma.ts';

/**
 * Upper tail P(X >= statistic) of the chi-square distribution with `degreesOfFreedom`: the p-value
 * of a chi-square test. Equals Q(df/2, statistic/2), computed directly so small p-values keep
 * their relative accuracy (no `1 - cdf`).
 *
 * @param statistic the chi-square statistic, >= 0
 * @param degreesOfFreedom finite and > 0 (need not be an integer)
 * @returns the p-value in [0, 1]
 * @throws {RangeError} when an argument is outside its domain
 *
 * @example
 * chiSquareSurvival(3.841458820694124, 1); // 0.05
 * chiSquareSurvival(2, 2); // 0.36787944117144233 (= e^-1)
 */
export function chiSquareSurvival(statistic: number, degreesOfFreedom: number): number {
  if (!(statistic >= 0)) throw new RangeError(`statistic must be a number >= 0, got ${statistic}`);
  if (!(Number.isFinite(degreesOfFreedom) && degreesOfFreedom > 0)) {
    throw new RangeError(`degreesOfFreedom must be a finite number > 0, got ${degreesOfFreedom}`);
  }
  return regularizedGamma(degreesOfFreedom / 2, statistic / 2).upper;
}
