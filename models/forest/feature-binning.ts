import type { FeatureMatrix } from './binary-classifier.ts';

/** A feature matrix reduced to small bin indices, the input of histogram tree growing. */
export interface BinnedFeatures {
  readonly rowCount: number;
  readonly featureCount: number;
  /** Column-major bin index of each cell (`bins[feature * rowCount + row]`); missing cells hold `missingBin`. */
  readonly bins: Uint8Array;
  /**
   * Per feature, the upper edge of every bin but the last: bin `b` holds the values `v` with
   * `upperEdges[b - 1] < v <= upperEdges[b]`; the last bin is unbounded above. A split "bin ≤ b"
   * is therefore exactly the raw test `v <= upperEdges[b]`, so trees keep raw thresholds and
   * prediction needs no binning.
   */
  readonly upperEdges: ReadonlyArray<Float64Array>;
  /** The bin index reserved for `NaN`; equal to `maxBins`, above every real bin. */
  readonly missingBin: number;
}

export interface BinFeaturesOptions {
  /** Most real-valued bins per feature, 2–255 (one more index is reserved for NaN). Default 255. */
  readonly maxBins?: number;
}

/** A value strictly between `low` and `high` that keeps `low` on the lower side and `high` above. */
function midpoint(low: number, high: number): number {
  const middle = low + (high - low) / 2;
  // For neighbouring doubles the midpoint can round up to `high`, which would put `high` in the lower bin.
  return middle < high ? middle : low;
}

/** Index of the first element of `sorted[from..]` greater than `value` (sorted ascending). */
function upperBound(sorted: Float64Array, value: number, from: number): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Quantile bin edges of one feature column: exact midpoints between distinct values when there are
 * at most `maxBins` of them (so low-cardinality features split exactly), otherwise cut points at
 * the `k / maxBins` quantiles moved to the end of any run of equal values.
 *
 * @example
 * computeBinEdges(Float64Array.of(3, 1, 2, NaN, 2), 255); // Float64Array [1.5, 2.5]
 */
export function computeBinEdges(column: Float64Array, maxBins: number): Float64Array {
  let present = 0;
  for (let i = 0; i < column.length; i++) if (!Number.isNaN(column[i] as number)) present++;
  const sorted = new Float64Array(present);
  let write = 0;
  for (let i = 0; i < column.length; i++) {
    const value = column[i] as number;
    if (!Number.isNaN(value)) sorted[write++] = value;
  }
  sorted.sort();
  const edges: number[] = [];
  let distinct = present > 0 ? 1 : 0;
  for (let i = 1; i < present && distinct <= maxBins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= maxBins) {
    for (let i = 1; i < present; i++) {
      const low = sorted[i - 1] as number;
      const high = sorted[i] as number;
      if (high !== low) edges.push(midpoint(low, high));
    }
    return Float64Array.from(edges);
  }
  for (let k = 1; k < maxBins; k++) {
    const rank = Math.floor((k * present) / maxBins);
    const low = sorted[rank - 1] as number;
    // A cut inside a run of equal values moves to the end of the run, so equal values share a bin.
    const next = upperBound(sorted, low, rank);
    if (next >= present) break;
    const edge = midpoint(low, sorted[next] as number);
    if (edges.length === 0 || edge > (edges[edges.length - 1] as number)) edges.push(edge);
  }
  return Float64Array.from(edges);
}

/** Bin of `value` given ascending upper edges: the first `b` with `value <= edges[b]`, else the last bin. */
function findBin(edges: Float64Array, value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value <= (edges[middle] as number)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Bins every feature of a column-major matrix into at most `maxBins` quantile bins plus a bin of
 * its own for `NaN`, so histogram trees can evaluate every threshold of a feature from one pass.
 * Infinite values are rejected: a missing or undefined ratio must arrive as `NaN`.
 *
 * @example
 * const binned = binFeatures({ rowCount: 3, featureCount: 1, values: Float64Array.of(5, NaN, 7) });
 * binned.bins; // Uint8Array [0, 255, 1]  (255 = missingBin)
 */
export function binFeatures(matrix: FeatureMatrix, options: BinFeaturesOptions = {}): BinnedFeatures {
  const maxBins = options.maxBins ?? 255;
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 255) {
    throw new RangeError(`maxBins must be an integer in [2, 255], got ${maxBins}`);
  }
  const { rowCount, featureCount, values } = matrix;
  const bins = new Uint8Array(rowCount * featureCount);
  const upperEdges: Float64Array[] = [];
  for (let feature = 0; feature < featureCount; feature++) {
    const offset = feature * rowCount;
    const column = values.subarray(offset, offset + rowCount);
    for (let row = 0; row < rowCount; row++) {
      const value = column[row] as number;
      if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) {
        throw new RangeError(`feature ${feature} row ${row} is ${value}; features must be finite or NaN (missing)`);
      }
    }
    const edges = computeBinEdges(column, maxBins);
    upperEdges.push(edges);
    for (let row = 0; row < rowCount; row++) {
      const value = column[row] as number;
      bins[offset + row] = Number.isNaN(value) ? maxBins : findBin(edges, value);
    }
  }
  return { rowCount, featureCount, bins, upperEdges, missingBin: maxBins };
}
