import { describe, expect, it } from 'vitest';
import { regularizedGamma } from '../../../models/stats/regularized-gamma.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/stats_reference.py (scipy 1.17.1 scipy.special.gammainc / gammaincc).
describe('regularizedGamma', () => {
  const cases: Array<[a: number, x: number, lower: number, upper: number, tolerance: number]> = [
    [0.5, 0.1, 0.34527915398142317, 0.6547208460185768, 1e-14], // gammainc(0.5, 0.1), gammaincc(0.5, 0.1)
    [1, 2, 0.8646647167633873, 0.1353352832366127, 1e-14], // gammainc(1.0, 2.0), gammaincc(1.0, 2.0)
    [3, 2.5, 0.45618688411667035, 0.5438131158833297, 1e-14], // gammainc(3.0, 2.5), gammaincc(3.0, 2.5)
    [2.5, 10, 0.9987502694369687, 0.0012497305630313773, 1e-14], // gammainc(2.5, 10.0), gammaincc(2.5, 10.0)
    [10, 9.5, 0.47817397776279236, 0.5218260222372076, 1e-14], // gammainc(10.0, 9.5), gammaincc(10.0, 9.5)
    // Q = 1 - P on the series side: P ≈ 0.98 leaves Q with ~1e-14 relative error.
    [0.1, 1, 0.9758726562736721, 0.024127343726327757, 1e-13], // gammainc(0.1, 1.0), gammaincc(0.1, 1.0)
    [50, 200, 1, 1.6927979958857254e-37, 1e-13], // gammainc(50.0, 200.0), gammaincc(50.0, 200.0)
    // ln Γ(100) ≈ 359 carries ~1e-16 · 359 absolute error into the exponent.
    [100, 100, 0.5132987982791487, 0.48670120172085135, 1e-13], // gammainc(100.0, 100.0), gammaincc(100.0, 100.0)
  ];
  it.each(cases)('P(%d, %d) and Q match scipy', (a, x, lower, upper, tolerance) => {
    const result = regularizedGamma(a, x);
    expectRelativelyClose(result.lower, lower, tolerance);
    expectRelativelyClose(result.upper, upper, tolerance);
  });

  it('handles x = 0 and x = Infinity exactly', () => {
    expect(regularizedGamma(2, 0)).toEqual({ lower: 0, upper: 1 });
    expect(regularizedGamma(2, Number.POSITIVE_INFINITY)).toEqual({ lower: 1, upper: 0 });
  });

  it('rejects a shape <= 0 and a negative x', () => {
    expect(() => regularizedGamma(0, 1)).toThrow(/a must be a finite number > 0, got 0/);
    expect(() => regularizedGamma(Number.POSITIVE_INFINITY, 1)).toThrow(RangeError);
    expect(() => regularizedGamma(1, -1)).toThrow(/x must be a number >= 0, got -1/);
    expect(() => regularizedGamma(1, Number.NaN)).toThrow(RangeError);
  });
});
