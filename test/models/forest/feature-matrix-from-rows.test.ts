import { describe, expect, it } from 'vitest';
import { createFeatureMatrix } from '../../../models/forest/create-feature-matrix.ts';
import { featureMatrixFromRows } from '../../../models/forest/feature-matrix-from-rows.ts';

describe('featureMatrixFromRows and createFeatureMatrix', () => {
  it('lays rows out column-major with null as NaN', () => {
    const matrix = featureMatrixFromRows([[1, 0.5], [2, null]]);
    expect(matrix.rowCount).toBe(2);
    expect(matrix.featureCount).toBe(2);
    expect(Array.from(matrix.values)).toEqual([1, 2, 0.5, Number.NaN]);
  });

  it('rejects ragged rows and values of the wrong length', () => {
    expect(() => featureMatrixFromRows([[1, 2], [3]])).toThrow(/every row must have 2 features, row 1 has 1/);
    expect(() => featureMatrixFromRows([])).toThrow(/at least one row/);
    expect(() => createFeatureMatrix({ rowCount: 2, featureCount: 2, values: new Float64Array(3) })).toThrow(
      /values.length must equal rowCount × featureCount = 4, got 3/,
    );
  });
});
