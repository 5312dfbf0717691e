import { expect } from 'vitest';

/**
 * Asserts |actual - expected| <= relativeTolerance · |expected| (exact equality when expected is 0).
 * toBeCloseTo only checks absolute decimals, which says nothing about a tail probability of 1e-89.
 */
export function expectRelativelyClose(actual: number, expected: number, relativeTolerance: number): void {
  const error = Math.abs(actual - expected);
  const allowed = relativeTolerance * Math.abs(expected);
  if (!(error <= allowed)) {
    expect.fail(`expected ${actual} to be within relative ${relativeTolerance} of ${expected} (relative error ${error / Math.abs(expected)})`);
  }
}
