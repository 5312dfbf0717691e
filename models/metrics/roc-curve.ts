import { assertBinaryClassificationInput } from './assert-binary-classification-input.ts';
import { binaryThresholdCounts } from './binary-threshold-counts.ts';

export interface RocCurve {
  /** False positive rate at each threshold, increasing from 0 to 1. */
  falsePositiveRate: Float64Array;
  /** True positive rate at each threshold, increasing from 0 to 1. */
  truePositiveRate: Float64Array;
  /** Decreasing thresholds; the first is Infinity (nothing predicted positive). */
  thresholds: Float64Array;
}

export interface RocCurveOptions {
  /** Drop points collinear with their neighbours (they do not change the plotted curve). Default true, as in scikit-learn. */
  dropIntermediate?: boolean;
}

/**
 * Points of the ROC curve, one per distinct score. Matches scikit-learn
 * `roc_curve(labels, scores, drop_intermediate=…)` (fpr, tpr, thresholds), including the leading
 * (0, 0) point at threshold Infinity.
 *
 * @param scores finite scores (higher = more likely positive)
 * @param labels 0 or 1, same length, with at least one of each
 * @param options `dropIntermediate` (default true)
 * @returns false and true positive rates with their thresholds
 * @throws {RangeError} on invalid input or when a class is missing
 *
 * @example
 * rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
 * // falsePositiveRate [0, 0, 0.5, 0.5, 1], truePositiveRate [0, 0.5, 0.5, 1, 1], thresholds [Infinity, 0.8, 0.4, 0.35, 0.1]
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, options: RocCurveOptions = {}): RocCurve {
  assertBinaryClassificationInput(scores, labels, { metric: 'rocCurve', requiredClasses: 'both' });
  const counts = binaryThresholdCounts(scores, labels);
  const { truePositives: tps, falsePositives: fps, thresholds, positives, negatives } = counts;
  const length = thresholds.length;
  const keep = new Uint32Array(length);
  let kept = 0;
  if ((options.dropIntermediate ?? true) && length > 2) {
    keep[kept++] = 0;
    // A point is a corner when the second difference of fp or tp is non-zero (scikit-learn's rule).
    for (let k = 1; k < length - 1; k++) {
      const fpCorner = fps[k + 1]! - 2 * fps[k]! + fps[k - 1]! !== 0;
      const tpCorner = tps[k + 1]! - 2 * tps[k]! + tps[k - 1]! !== 0;
      if (fpCorner || tpCorner) keep[kept++] = k;
    }
    keep[kept++] = length - 1;
  } else {
    for (let k = 0; k < length; k++) keep[kept++] = k;
  }
  const falsePositiveRate = new Float64Array(kept + 1);
  const truePositiveRate = new Float64Array(kept + 1);
  const curveThresholds = new Float64Array(kept + 1);
  curveThresholds[0] = Number.POSITIVE_INFINITY;
  for (let m = 0; m < kept; m++) {
    const k = keep[m]!;
    falsePositiveRate[m + 1] = fps[k]! / negatives;
    truePositiveRate[m + 1] = tps[k]! / positives;
    curveThresholds[m + 1] = thresholds[k]!;
  }
  return { falsePositiveRate, truePositiveRate, thresholds: curveThresholds };
}
