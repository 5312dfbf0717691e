import type { FeatureMatrix } from './binary-classifier.ts';

/**
 * Checks the shape of a column-major feature matrix and returns it frozen as a `FeatureMatrix`.
 *
 * @example
 * // two rows, three features: column 0 = [1, 2], column 1 = [3, 4], column 2 = [NaN, 6]
 * createFeatureMatrix({ rowCount: 2, featureCount: 3, values: Float64Array.of(1, 2, 3, 4, NaN, 6) });
 */
export function createFeatureMatrix(input: {
  rowCount: number;
  featureCount: number;
  values: Float64Array;
}): FeatureMatrix {
  const { rowCount, featureCount, values } = input;
  if (!Number.isInteger(rowCount) || rowCount < 0) {
    throw new RangeError(`rowCount must be a non-negative integer, got ${rowCount}`);
  }
  if (!Number.isInteger(featureCount) || featureCount < 1) {
    throw new RangeError(`featureCount must be a positive integer, got ${featureCount}`);
  }
  if (!(values instanceof Float64Array)) {
    throw new TypeError('values must be a Float64Array (column-major)');
  }
  if (values.length !== rowCount * featureCount) {
    throw new RangeError(
      `values.length must equal rowCount × featureCount = ${rowCount * featureCount}, got ${values.length}`,
    );
  }
  return Object.freeze({ rowCount, featureCount, values });
}
