import { expect } from 'vitest';

/** Element-wise |actual - expected| <= 1e-12 · max(1, |expected|); exact for infinities. */
export function expectArrayClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i]!;
    const got = actual[i]!;
    if (!Number.isFinite(want)) expect(got, `index ${i}`).toBe(want);
    else expect(Math.abs(got - want), `index ${i}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
  }
}

/** Sum in index order, for comparing long curves against the reference script's sums. */
export function sumOf(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}
