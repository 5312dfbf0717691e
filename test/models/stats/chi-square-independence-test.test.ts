import { describe, expect, it } from 'vitest';
import { chiSquareIndependenceTest } from '../../../models/stats/chi-square-independence-test.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

function expectTableClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, r) => row.forEach((value, c) => expectRelativelyClose(value, expected[r]![c]!, 1e-14)));
}

// References: scripts/reference/stats_reference.py (scipy 1.17.1 scipy.stats.chi2_contingency).
describe('chiSquareIndependenceTest', () => {
  it('matches scipy on a 2×6 reason-mix table', () => {
    const result = chiSquareIndependenceTest([
      [120, 80, 40, 30, 20, 10],
      [60, 50, 35, 40, 5, 12],
    ]);
    // scipy: chi2_contingency([[120, 80, 40, 30, 20, 10], [60, 50, 35, 40, 5, 12]], correction=False)
    expectRelativelyClose(result.statistic, 19.477628026538923, 1e-14);
    expect(result.degreesOfFreedom).toBe(5);
    expectRelativelyClose(result.pValue, 0.0015655141631783812, 1e-13);
    expectTableClose(result.expected, [
      [107.56972111553785, 77.68924302788845, 44.820717131474105, 41.832669322709165, 14.9402390438247, 13.147410358565738],
      [72.43027888446215, 52.310756972111555, 30.179282868525895, 28.16733067729084, 10.0597609561753, 8.852589641434262],
    ]);
    expect(result.degenerate).toBe(false);
  });

  it('drops an all-zero column before counting degrees of freedom', () => {
    const result = chiSquareIndependenceTest([
      [12, 0, 7, 3],
      [30, 0, 9, 20],
    ]);
    // scipy: chi2_contingency([[12, 7, 3], [30, 9, 20]], correction=False) (zero column removed first;
    // scipy raises on the full table because an expected count is 0)
    expectRelativelyClose(result.statistic, 4.584951825072497, 1e-14);
    expect(result.degreesOfFreedom).toBe(2);
    expectRelativelyClose(result.pValue, 0.10101604508441149, 1e-13);
    expect(result.keptColumns).toEqual([0, 2, 3]);
    expect(result.keptRows).toEqual([0, 1]);
    expectTableClose(result.expected, [
      [11.407407407407407, 0, 4.345679012345679, 6.246913580246914],
      [30.59259259259259, 0, 11.654320987654321, 16.753086419753085],
    ]);
  });

  it('matches scipy on a 2×2 table with and without Yates correction (df = 1)', () => {
    const table = [
      [10, 20],
      [30, 15],
    ];
    const plain = chiSquareIndependenceTest(table);
    expectRelativelyClose(plain.statistic, 8.035714285714285, 1e-14); // scipy: chi2_contingency([[10, 20], [30, 15]], correction=False).statistic
    expectRelativelyClose(plain.pValue, 0.0045863920802535025, 1e-13); // same call, .pvalue
    expect(plain.degreesOfFreedom).toBe(1);
    expect(plain.expected).toEqual([
      [16, 14],
      [24, 21],
    ]);
    const corrected = chiSquareIndependenceTest(table, { yatesCorrection: true });
    expectRelativelyClose(corrected.statistic, 6.752232142857143, 1e-14); // scipy: chi2_contingency([[10, 20], [30, 15]], correction=True).statistic
    expectRelativelyClose(corrected.pValue, 0.00936304763753395, 1e-13); // same call, .pvalue
  });

  it('ignores the Yates option when df > 1, like scipy', () => {
    const table = [
      [10, 20, 30],
      [25, 15, 10],
    ];
    // scipy: chi2_contingency([[10, 20, 30], [25, 15, 10]], correction=True) -> statistic 16.369047619047624, pvalue 0.0002789372227504811
    const result = chiSquareIndependenceTest(table, { yatesCorrection: true });
    expectRelativelyClose(result.statistic, 16.369047619047624, 1e-14);
    expectRelativelyClose(result.pValue, 0.0002789372227504811, 1e-13);
  });

  it('reports a degenerate table as "no evidence" instead of throwing', () => {
    // Only one reason ever used: no mix to compare.
    const oneReason = chiSquareIndependenceTest([
      [5, 0, 0],
      [9, 0, 0],
    ]);
    expect(oneReason).toMatchObject({ statistic: 0, degreesOfFreedom: 0, pValue: 1, degenerate: true, keptColumns: [0] });
    // No returns at all in the current period.
    const emptyCurrent = chiSquareIndependenceTest([
      [5, 3, 2],
      [0, 0, 0],
    ]);
    expect(emptyCurrent).toMatchObject({ pValue: 1, degenerate: true, keptRows: [0] });
    expect(emptyCurrent.expected).toEqual([
      [5, 3, 2],
      [0, 0, 0],
    ]);
    // Nothing at all.
    const allZero = chiSquareIndependenceTest([
      [0, 0],
      [0, 0],
    ]);
    expect(allZero).toMatchObject({ pValue: 1, degenerate: true, keptRows: [], keptColumns: [] });
    expect(chiSquareIndependenceTest([[1, 2, 3]]).degenerate).toBe(true);
  });

  it('gives p = 1 for a table that is exactly independent', () => {
    const result = chiSquareIndependenceTest([
      [10, 20],
      [20, 40],
    ]);
    expect(result.statistic).toBe(0);
    expect(result.pValue).toBe(1);
  });

  it('rejects ragged, empty and negative tables', () => {
    expect(() => chiSquareIndependenceTest([])).toThrow(/at least one row/);
    expect(() => chiSquareIndependenceTest([[]])).toThrow(/at least one column/);
    expect(() => chiSquareIndependenceTest([[1, 2], [3]])).toThrow(/row 1 has 1/);
    expect(() => chiSquareIndependenceTest([[1, -2], [3, 4]])).toThrow(/table\[0\]\[1\] must be a finite count >= 0, got -2/);
    expect(() => chiSquareIndependenceTest([[1, Number.NaN], [3, 4]])).toThrow(RangeError);
  });
});
