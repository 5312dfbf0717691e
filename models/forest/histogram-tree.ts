import type { SeededRandom } from '../random/seeded-random.ts';
import type { BinnedFeatures } from './feature-binning.ts';

/**
 * One binary classification tree in flat arrays (node 0 is the root). A node with
 * `feature[node] === -1` is a leaf. Otherwise a row goes left when its value is `<= threshold[node]`,
 * or, when the value is `NaN`, when `missingGoesLeft[node] === 1`.
 */
export interface HistogramTree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly missingGoesLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Weighted fraction of class 1 among the training rows that reached the node. */
  readonly value: Float64Array;
}

export type SplitCriterion = 'gini' | 'entropy';

export interface GrowHistogramTreeInput {
  readonly binned: BinnedFeatures;
  /** 0 or 1 per row. */
  readonly labels: Uint8Array;
  /** Weight of each row in this tree (bootstrap multiplicity × class weight); 0 = not drawn. */
  readonly rowWeights: Float64Array;
  /** The distinct rows drawn for this tree, ascending. Reordered in place while growing. */
  readonly rows: Uint32Array;
  /** Features drawn at random at every split (counting only features that are not constant in the node). */
  readonly featuresPerSplit: number;
  readonly maxDepth: number;
  /** Fewest distinct training rows a leaf may hold. */
  readonly minSamplesLeaf: number;
  readonly criterion: SplitCriterion;
  readonly random: SeededRandom;
}

export interface GrownHistogramTree {
  readonly tree: HistogramTree;
  /** Total weighted impurity decrease of the splits on each feature (unnormalised). */
  readonly impurityDecrease: Float64Array;
}

/** Weighted Gini impurity times weight: W · 2p(1−p) = 2·pos·neg / W. */
function giniTimesWeight(positive: number, negative: number): number {
  const total = positive + negative;
  return total > 0 ? (2 * positive * negative) / total : 0;
}

/** Weighted entropy (bits) times weight: W·log2 W − pos·log2 pos − neg·log2 neg. */
function entropyTimesWeight(positive: number, negative: number): number {
  const total = positive + negative;
  if (positive <= 0 || negative <= 0) return 0;
  return total * Math.log2(total) - positive * Math.log2(positive) - negative * Math.log2(negative);
}

/** The threshold bin meaning "every real value left, NaN right" (threshold +∞). */
const ALL_VALUES_LEFT = -2;

/**
 * Grows one tree the way LightGBM/scikit-learn's histogram learners do: at each node, for each
 * feature drawn for this split, one pass over the node's rows fills a per-bin class-weight
 * histogram, and one pass over the bins scores every threshold (with NaN tried on both sides).
 * Cost is O(rows × features drawn) per level — no sorting per node, unlike ml-cart's CART, whose
 * per-node sort-and-resplit made ml-random-forest quadratic in rows.
 *
 * @example
 * const { tree } = growHistogramTree({ binned, labels, rowWeights, rows, featuresPerSplit: 5,
 *   maxDepth: 12, minSamplesLeaf: 5, criterion: 'gini', random: createSeededRandom(1) });
 */
export function growHistogramTree(input: GrowHistogramTreeInput): GrownHistogramTree {
  const { binned, labels, rowWeights: weights, rows, criterion, random } = input;
  const { featuresPerSplit, maxDepth, minSamplesLeaf } = input;
  const rowCount = binned.rowCount;
  const featureCount = binned.featureCount;
  const bins = binned.bins;
  const missingBin = binned.missingBin;
  const impurity = criterion === 'gini' ? giniTimesWeight : entropyTimesWeight;

  // histogram[2·bin] = weight of class 0, histogram[2·bin + 1] = weight of class 1; counts = distinct rows.
  const histogram = new Float64Array(2 * (missingBin + 1));
  const counts = new Int32Array(missingBin + 1);
  const touched = new Int32Array(missingBin + 1);
  const featureOrder = new Int32Array(featureCount);
  for (let f = 0; f < featureCount; f++) featureOrder[f] = f;
  const scratch = new Uint32Array(rows.length);
  const impurityDecrease = new Float64Array(featureCount);

  const nodeFeature: number[] = [];
  const nodeThreshold: number[] = [];
  const nodeMissingLeft: number[] = [];
  const nodeLeft: number[] = [];
  const nodeRight: number[] = [];
  const nodeValue: number[] = [];
  const addNode = (positive: number, negative: number): number => {
    nodeFeature.push(-1);
    nodeThreshold.push(0);
    nodeMissingLeft.push(0);
    nodeLeft.push(-1);
    nodeRight.push(-1);
    nodeValue.push(positive / (positive + negative));
    return nodeValue.length - 1;
  };

  // Best split of the node being examined, written by scoreFeature.
  let bestGain = 0;
  let bestFeature = -1;
  let bestBin = 0;
  let bestMissingLeft = 0;
  let bestSawMissing = false;

  /** Fills the histogram of `feature` over rows[start, end) and scores its thresholds; false if constant there. */
  const scoreFeature = (
    feature: number,
    start: number,
    end: number,
    positive: number,
    negative: number,
    parentImpurity: number,
  ): boolean => {
    const offset = feature * rowCount;
    const count = end - start;
    // Small nodes only visit the bins they touch, so deep trees do not pay 256 bins per node.
    const sparse = count < missingBin;
    let touchedCount = 0;
    if (sparse) {
      for (let i = start; i < end; i++) {
        const row = rows[i] as number;
        const bin = bins[offset + row] as number;
        if (counts[bin] === 0) touched[touchedCount++] = bin;
        counts[bin] = (counts[bin] as number) + 1;
        const slot = 2 * bin + (labels[row] as number);
        histogram[slot] = (histogram[slot] as number) + (weights[row] as number);
      }
      // Insertion sort: at most `count` (< 255) bins, usually a handful.
      for (let i = 1; i < touchedCount; i++) {
        const bin = touched[i] as number;
        let j = i - 1;
        while (j >= 0 && (touched[j] as number) > bin) {
          touched[j + 1] = touched[j] as number;
          j--;
        }
        touched[j + 1] = bin;
      }
    } else {
      for (let i = start; i < end; i++) {
        const row = rows[i] as number;
        const bin = bins[offset + row] as number;
        counts[bin] = (counts[bin] as number) + 1;
        const slot = 2 * bin + (labels[row] as number);
        histogram[slot] = (histogram[slot] as number) + (weights[row] as number);
      }
      for (let bin = 0; bin <= missingBin; bin++) if (counts[bin] !== 0) touched[touchedCount++] = bin;
    }

    const missingCount = counts[missingBin] as number;
    const missingNegative = histogram[2 * missingBin] as number;
    const missingPositive = histogram[2 * missingBin + 1] as number;
    const realBinCount = missingCount > 0 ? touchedCount - 1 : touchedCount;
    const constant = realBinCount + (missingCount > 0 ? 1 : 0) <= 1;
    if (!constant) {
      let leftCount = 0;
      let leftNegative = 0;
      let leftPositive = 0;
      for (let k = 0; k < realBinCount; k++) {
        const bin = touched[k] as number;
        leftCount += counts[bin] as number;
        leftNegative += histogram[2 * bin] as number;
        leftPositive += histogram[2 * bin + 1] as number;
        const lastRealBin = k === realBinCount - 1;
        if (lastRealBin && missingCount === 0) break;
        const thresholdBin = lastRealBin ? ALL_VALUES_LEFT : bin;
        // Missing values right (for the last real bin: every value left, NaN right).
        let rightCount = count - leftCount;
        if (leftCount >= minSamplesLeaf && rightCount >= minSamplesLeaf) {
          const gain =
            parentImpurity -
            impurity(leftPositive, leftNegative) -
            impurity(positive - leftPositive, negative - leftNegative);
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = feature;
            bestBin = thresholdBin;
            bestMissingLeft = 0;
            bestSawMissing = missingCount > 0;
          }
        }
        if (missingCount > 0 && !lastRealBin) {
          const withMissingCount = leftCount + missingCount;
          rightCount = count - withMissingCount;
          if (withMissingCount >= minSamplesLeaf && rightCount >= minSamplesLeaf) {
            const withMissingPositive = leftPositive + missingPositive;
            const withMissingNegative = leftNegative + missingNegative;
            const gain =
              parentImpurity -
              impurity(withMissingPositive, withMissingNegative) -
              impurity(positive - withMissingPositive, negative - withMissingNegative);
            if (gain > bestGain) {
              bestGain = gain;
              bestFeature = feature;
              bestBin = thresholdBin;
              bestMissingLeft = 1;
              bestSawMissing = true;
            }
          }
        }
      }
    }
    // Leave the buffers zeroed for the next feature.
    if (sparse) {
      for (let k = 0; k < touchedCount; k++) {
        const bin = touched[k] as number;
        counts[bin] = 0;
        histogram[2 * bin] = 0;
        histogram[2 * bin + 1] = 0;
      }
    } else {
      histogram.fill(0);
      counts.fill(0);
    }
    return !constant;
  };

  // Depth-first growth with an explicit stack: start, end, depth, node, positive weight, negative weight.
  const stack: number[] = [];
  let rootPositive = 0;
  let rootNegative = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as number;
    if (labels[row] === 1) rootPositive += weights[row] as number;
    else rootNegative += weights[row] as number;
  }
  if (rows.length === 0 || rootPositive + rootNegative <= 0) {
    throw new RangeError('a tree needs at least one training row with positive weight');
  }
  stack.push(0, rows.length, 0, addNode(rootPositive, rootNegative), rootPositive, rootNegative);

  while (stack.length > 0) {
    const negative = stack.pop() as number;
    const positive = stack.pop() as number;
    const node = stack.pop() as number;
    const depth = stack.pop() as number;
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    const count = end - start;
    if (depth >= maxDepth || count < 2 * minSamplesLeaf || positive <= 0 || negative <= 0) continue;

    const parentImpurity = impurity(positive, negative);
    bestGain = 0;
    bestFeature = -1;
    // Like scikit-learn, keep drawing features (without replacement) until `featuresPerSplit`
    // non-constant ones have been scored, so nodes where most features are constant can still split.
    let scored = 0;
    for (let i = 0; i < featureCount && scored < featuresPerSplit; i++) {
      const j = i + random.nextInt(featureCount - i);
      const feature = featureOrder[j] as number;
      featureOrder[j] = featureOrder[i] as number;
      featureOrder[i] = feature;
      if (scoreFeature(feature, start, end, positive, negative, parentImpurity)) scored++;
    }
    // A gain at floating-point noise level is no split (it would only grow the tree).
    if (bestFeature < 0 || bestGain <= 1e-12 * (positive + negative)) continue;

    const feature = bestFeature;
    const thresholdBin = bestBin;
    const missingLeft = bestMissingLeft;
    const offset = feature * rowCount;
    // Stable partition keeps rows ascending inside each child, so histogram passes read memory in order.
    let leftEnd = start;
    let rightCount = 0;
    let leftPositive = 0;
    let leftNegative = 0;
    // Children's class weights are summed, not subtracted, so a pure child is exactly pure.
    let rightPositive = 0;
    let rightNegative = 0;
    for (let i = start; i < end; i++) {
      const row = rows[i] as number;
      const bin = bins[offset + row] as number;
      const goesLeft =
        bin === missingBin ? missingLeft === 1 : thresholdBin === ALL_VALUES_LEFT || bin <= thresholdBin;
      if (goesLeft) {
        rows[leftEnd++] = row;
        if (labels[row] === 1) leftPositive += weights[row] as number;
        else leftNegative += weights[row] as number;
      } else {
        scratch[rightCount++] = row;
        if (labels[row] === 1) rightPositive += weights[row] as number;
        else rightNegative += weights[row] as number;
      }
    }
    rows.set(scratch.subarray(0, rightCount), leftEnd);

    impurityDecrease[feature] = (impurityDecrease[feature] as number) + bestGain;
    nodeFeature[node] = feature;
    nodeThreshold[node] =
      thresholdBin === ALL_VALUES_LEFT
        ? Number.POSITIVE_INFINITY
        : ((binned.upperEdges[feature] as Float64Array)[thresholdBin] as number);
    // No NaN of this feature reached the node in training: a NaN at prediction time follows the
    // child that received more rows (scikit-learn's rule), the likelier place for an unknown value.
    nodeMissingLeft[node] = bestSawMissing ? missingLeft : leftEnd - start >= rightCount ? 1 : 0;
    const leftNode = addNode(leftPositive, leftNegative);
    const rightNode = addNode(rightPositive, rightNegative);
    nodeLeft[node] = leftNode;
    nodeRight[node] = rightNode;
    // Right pushed first so the left subtree is grown (and numbered) first.
    stack.push(leftEnd, end, depth + 1, rightNode, rightPositive, rightNegative);
    stack.push(start, leftEnd, depth + 1, leftNode, leftPositive, leftNegative);
  }

  return {
    tree: {
      feature: Int32Array.from(nodeFeature),
      threshold: Float64Array.from(nodeThreshold),
      missingGoesLeft: Uint8Array.from(nodeMissingLeft),
      left: Int32Array.from(nodeLeft),
      right: Int32Array.from(nodeRight),
      value: Float64Array.from(nodeValue),
    },
    impurityDecrease,
  };
}
