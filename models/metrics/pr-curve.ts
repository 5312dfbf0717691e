import { assertBinaryClassificationInput } from './assert-binary-classification-input.ts';
import { binaryThresholdCounts } from './binary-threshold-counts.ts';

export interface PrecisionRecallCurve {
  /** Precision per threshold, then a final 1 (the empty prediction). */
  precision: Float64Array;
  /** Recall per threshold (decreasing), then a final 0. */
  recall: Float64Array;
  /** Increasing distinct scores; one fewer than precision and recall. */
  thresholds: Float64Array;
}

export interface PrCurveOptions {
  /** Keep only the first and last point of each run of equal recall. Default false, as in scikit-learn. */
  dropIntermediate?: boolean;
}

/**
 * Precision-recall curve laid out exactly like scikit-learn
 * `precision_recall_curve(labels, scores, drop_intermediate=…)`: thresholds increasing, recall
 * decreasing, and a final (recall 0, precision 1) point without a threshold.
 *
 * @param scores finite scores (higher = more likely positive)
 * @param labels 0 or 1, same length, with at least one positive
 * @param options `dropIntermediate` (default false)
 * @returns precision, recall and thresholds
 * @throws {RangeError} on invalid input or when there is no positive label
 *
 * @example
 * prCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
 * // precision [0.5, 0.6667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8]
 */
export function prCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: PrCurveOptions = {},
): PrecisionRecallCurve {
  assertBinaryClassificationInput(scores, labels, { metric: 'prCurve', requiredClasses: 'positive' });
  const { truePositives: tps, falsePositives: fps, thresholds, positives } = binaryThresholdCounts(scores, labels);
  const length = thresholds.length;
  const keep = new Uint32Array(length);
  let kept = 0;
  if (options.dropIntermediate === true && length > 2) {
    keep[kept++] = 0;
    for (let k = 1; k < length - 1; k++) {
      if (tps[k]! !== tps[k - 1]! || tps[k + 1]! !== tps[k]!) keep[kept++] = k;
    }
    keep[kept++] = length - 1;
  } else {
    for (let k = 0; k < length; k++) keep[kept++] = k;
  }
  const precision = new Float64Array(kept + 1);
  const recall = new Float64Array(kept + 1);
  const curveThresholds = new Float64Array(kept);
  for (let m = 0; m < kept; m++) {
    const k = keep[m]!;
    const out = kept - 1 - m; // reversed: scikit-learn returns increasing thresholds
    precision[out] = tps[k]! / (tps[k]! + fps[k]!);
    recall[out] = tps[k]! / positives;
    curveThresholds[out] = thresholds[k]!;
  }
  precision[kept] = 1;
  recall[kept] = 0;
  return { precision, recall, thresholds: curveThresholds };
}
