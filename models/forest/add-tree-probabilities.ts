import type { FeatureMatrix } from './binary-classifier.ts';
import type { HistogramTree } from './histogram-tree.ts';

/**
 * Adds one tree's leaf value (class-1 fraction) for every row of `rows` to `sums[row]`.
 * The forest calls it once per tree and divides by the tree count: rows inner, tree outer, so the
 * tree's arrays stay in cache while the rows stream through.
 *
 * @example
 * const sums = new Float64Array(matrix.rowCount);
 * for (const tree of trees) addTreeProbabilities(tree, matrix, sums);
 */
export function addTreeProbabilities(tree: HistogramTree, rows: FeatureMatrix, sums: Float64Array): void {
  const { feature, threshold, missingGoesLeft, left, right, value } = tree;
  const { rowCount, values } = rows;
  if (sums.length !== rowCount) throw new RangeError(`sums.length must equal rowCount ${rowCount}, got ${sums.length}`);
  for (let row = 0; row < rowCount; row++) {
    let node = 0;
    let splitFeature = feature[0] as number;
    while (splitFeature >= 0) {
      const x = values[splitFeature * rowCount + row] as number;
      // NaN fails every comparison, so it is tested first and follows the side learned for it.
      const goesLeft = x !== x ? missingGoesLeft[node] === 1 : x <= (threshold[node] as number);
      node = goesLeft ? (left[node] as number) : (right[node] as number);
      splitFeature = feature[node] as number;
    }
    sums[row] = (sums[row] as number) + (value[node] as number);
  }
}
