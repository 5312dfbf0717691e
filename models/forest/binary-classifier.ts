/**
 * The contract every fraud-model classifier meets, so the scoring job, the model registry and the
 * worker threads never depend on one learner.
 *
 * Features travel as a **column-major** `Float64Array` (`values[feature * rowCount + row]`):
 * - DuckDB hands results over column by column (DataChunk vectors, Arrow columns), so a feature
 *   column is one contiguous copy — no per-row objects (1M rows into JS objects costs ~3 s).
 * - Training bins each feature on its own (quantiles need one column sorted) and the histogram
 *   tree reads one feature for many rows at a time, which streams through memory this way.
 * - A one-row matrix (a real-time score) is the same in either layout.
 *
 * Missing values are `NaN`. Labels are `0` (legitimate) or `1` (fraud/abuse).
 *
 * @example
 * const matrix: FeatureMatrix = { rowCount: 2, featureCount: 2, values: Float64Array.of(1, 2, 0.5, NaN) };
 * // row 0 = [1, 0.5], row 1 = [2, NaN]
 * const probabilities = classifier.predictProbability(matrix); // Float64Array(2), each in [0, 1]
 */
export interface FeatureMatrix {
  readonly rowCount: number;
  readonly featureCount: number;
  /** Column-major: the value of `feature` for `row` is `values[feature * rowCount + row]`; `NaN` = missing. */
  readonly values: Float64Array;
}

/** What `toJSON()` returns: plain JSON (`JSON.stringify`-safe) tagged with the learner that reads it back. */
export interface SerializedModel {
  readonly kind: string;
  readonly formatVersion: number;
  readonly featureCount: number;
}

export interface BinaryClassifier {
  /** Number of feature columns the model was trained on; `predictProbability` requires the same. */
  readonly featureCount: number;
  /** Probability-like score of class 1 for each row, in [0, 1]. */
  predictProbability(rows: FeatureMatrix): Float64Array;
  toJSON(): SerializedModel;
}
