import { normalCdf } from './normal-cdf.ts';

/**
 * Standard normal upper tail P(Z > x), accurate to ~1e-15 relative far into the tail
 * (normalSurvival(20) ≈ 2.75e-89), unlike `1 - normalCdf(x)`, which is 0 beyond x ≈ 8.3.
 *
 * @param x any number except NaN
 * @returns P(Z > x) for Z ~ N(0, 1)
 * @throws {RangeError} when x is NaN
 *
 * @example
 * normalSurvival(1.959963984540054); // 0.025
 * normalSurvival(8); // 6.22096057427178e-16
 */
export function normalSurvival(x: number): number {
  if (Number.isNaN(x)) throw new RangeError(`x must be a number, got NaN`);
  // The distribution is symmetric and normalCdf evaluates its lower tail directly.
  return normalCdf(-x);
}
