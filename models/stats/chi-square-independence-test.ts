import { chiSquareSurvival } from './chi-square-survival.ts';

export interface ChiSquareIndependenceOptions {
  /**
   * Apply Yates' continuity correction when the reduced table is 2×2 (df = 1), as scipy's
   * `chi2_contingency` does by default. Default false: reason-mix tables are rarely 2×2, and the
   * correction is conservative.
   */
  yatesCorrection?: boolean;
}

export interface ChiSquareIndependenceResult {
  /** Pearson's X² over the non-empty rows and columns (0 when degenerate). */
  statistic: number;
  /** (kept rows - 1) · (kept columns - 1); 0 when degenerate. */
  degreesOfFreedom: number;
  /** P(χ²(df) >= statistic); 1 when degenerate. */
  pValue: number;
  /**
   * Expected counts under independence, rowTotal · columnTotal / total, in the input's shape
   * (cells of empty rows or columns are 0).
   */
  expected: number[][];
  /** Indices of the rows and columns that entered the test (those with a non-zero total). */
  keptRows: number[];
  keptColumns: number[];
  /**
   * True when fewer than 2 non-empty rows or 2 non-empty columns remain: independence cannot be
   * tested (e.g. no returns at all in the current period, or every return has the same reason),
   * and the result says "no evidence" (statistic 0, df 0, p-value 1) instead of throwing, so a
   * batch over thousands of products keeps going.
   */
  degenerate: boolean;
}

/**
 * Pearson chi-square test of independence for an r×c contingency table, e.g. rows = baseline and
 * current period, columns = return reasons (a reason-mix shift).
 *
 * All-zero columns (a reason that never occurs in either period) and all-zero rows are dropped
 * before counting degrees of freedom, since they carry no information and would otherwise put
 * zeros in the expected counts. On the reduced table it matches scipy
 * `scipy.stats.chi2_contingency(table, correction=yatesCorrection)`.
 *
 * @param table rows of equal length (>= 1 row, >= 1 column) of finite counts >= 0
 * @param options `yatesCorrection` (default false)
 * @returns statistic, degrees of freedom, p-value, expected counts, and which rows/columns were used
 * @throws {RangeError} when the table is ragged, empty, or has a negative or non-finite count
 *
 * @example
 * chiSquareIndependenceTest([[10, 20, 0], [30, 15, 0]]);
 * // { statistic: 9.6428…, degreesOfFreedom: 1, pValue: 0.0019…, keptColumns: [0, 1], degenerate: false, … }
 */
export function chiSquareIndependenceTest(
  table: ReadonlyArray<ArrayLike<number>>,
  options: ChiSquareIndependenceOptions = {},
): ChiSquareIndependenceResult {
  const rowCount = table.length;
  if (rowCount === 0) throw new RangeError('table must have at least one row, got 0 rows');
  const columnCount = table[0]!.length;
  if (columnCount === 0) throw new RangeError('table must have at least one column, got 0 columns');
  const rowTotals = new Float64Array(rowCount);
  const columnTotals = new Float64Array(columnCount);
  for (let r = 0; r < rowCount; r++) {
    const row = table[r]!;
    if (row.length !== columnCount) {
      throw new RangeError(`table rows must all have ${columnCount} columns (like row 0), row ${r} has ${row.length}`);
    }
    for (let c = 0; c < columnCount; c++) {
      const count = row[c]!;
      if (!(Number.isFinite(count) && count >= 0)) {
        throw new RangeError(`table[${r}][${c}] must be a finite count >= 0, got ${count}`);
      }
      rowTotals[r]! += count;
      columnTotals[c]! += count;
    }
  }
  let total = 0;
  for (let r = 0; r < rowCount; r++) total += rowTotals[r]!;

  const keptRows: number[] = [];
  for (let r = 0; r < rowCount; r++) if (rowTotals[r]! > 0) keptRows.push(r);
  const keptColumns: number[] = [];
  for (let c = 0; c < columnCount; c++) if (columnTotals[c]! > 0) keptColumns.push(c);

  const expected: number[][] = [];
  for (let r = 0; r < rowCount; r++) {
    const expectedRow = new Array<number>(columnCount);
    for (let c = 0; c < columnCount; c++) {
      expectedRow[c] = total > 0 ? (rowTotals[r]! * columnTotals[c]!) / total : 0;
    }
    expected.push(expectedRow);
  }

  if (keptRows.length < 2 || keptColumns.length < 2) {
    return { statistic: 0, degreesOfFreedom: 0, pValue: 1, expected, keptRows, keptColumns, degenerate: true };
  }
  const degreesOfFreedom = (keptRows.length - 1) * (keptColumns.length - 1);
  const correct = options.yatesCorrection === true && degreesOfFreedom === 1;
  let statistic = 0;
  for (const r of keptRows) {
    for (const c of keptColumns) {
      const expectedCount = expected[r]![c]!;
      let deviation = Math.abs(table[r]![c]! - expectedCount);
      // scipy's form of Yates: shrink |O - E| by 0.5 but never past zero.
      if (correct) deviation -= Math.min(0.5, deviation);
      statistic += (deviation * deviation) / expectedCount;
    }
  }
  return {
    statistic,
    degreesOfFreedom,
    pValue: chiSquareSurvival(statistic, degreesOfFreedom),
    expected,
    keptRows,
    keptColumns,
    degenerate: false,
  };
}
