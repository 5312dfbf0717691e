import type { FeatureMatrix } from './binary-classifier.ts';
import { createFeatureMatrix } from './create-feature-matrix.ts';

/**
 * Builds a column-major `FeatureMatrix` from row arrays (tests, small real-time requests).
 * `null` and `undefined` cells become `NaN` (missing).
 *
 * @example
 * featureMatrixFromRows([[1, 0.5], [2, null]]); // { rowCount: 2, featureCount: 2, values: [1, 2, 0.5, NaN] }
 */
export function featureMatrixFromRows(rows: ReadonlyArray<ReadonlyArray<number | null | undefined>>): FeatureMatrix {
  const first = rows[0];
  if (first === undefined) throw new RangeError('rows must contain at least one row');
  const featureCount = first.length;
  const rowCount = rows.length;
  const values = new Float64Array(rowCount * featureCount);
  for (let row = 0; row < rowCount; row++) {
    const cells = rows[row] as ReadonlyArray<number | null | undefined>;
    if (cells.length !== featureCount) {
      throw new RangeError(`every row must have ${featureCount} features, row ${row} has ${cells.length}`);
    }
    for (let feature = 0; feature < featureCount; feature++) {
      values[feature * rowCount + row] = cells[feature] ?? Number.NaN;
    }
  }
  return createFeatureMatrix({ rowCount, featureCount, values });
}
