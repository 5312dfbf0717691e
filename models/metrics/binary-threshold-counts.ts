import { assertBinaryClassificationInput } from './assert-binary-classification-input.ts';

/** Cumulative confusion counts at each distinct score, from the highest score down. */
export interface BinaryThresholdCounts {
  /** Distinct scores in decreasing order; row i predicts positive for score >= thresholds[i]. */
  thresholds: Float64Array;
  /** True positives (positives with score >= thresholds[i]). */
  truePositives: Float64Array;
  /** False positives (negatives with score >= thresholds[i]). */
  falsePositives: Float64Array;
  positives: number;
  negatives: number;
}

/**
 * The cumulative true and false positive counts behind ROC and precision-recall curves, like
 * scikit-learn's `_binary_clf_curve` / `confusion_matrix_at_thresholds`: tied scores form one
 * threshold, so ties are never broken arbitrarily.
 *
 * Positive and negative scores are copied into two Float64Arrays, sorted natively and merged, so a
 * million rows cost two typed-array sorts and no per-row objects.
 *
 * @param scores finite scores (higher = more likely positive)
 * @param labels 0 or 1, same length
 * @returns thresholds with cumulative counts, and the class totals
 * @throws {RangeError} on mismatched lengths, an empty input, a non-finite score or a label other than 0/1
 *
 * @example
 * binaryThresholdCounts([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1]);
 * // thresholds [0.8, 0.4, 0.1], truePositives [1, 2, 2], falsePositives [0, 1, 2]
 */
export function binaryThresholdCounts(scores: ArrayLike<number>, labels: ArrayLike<number>): BinaryThresholdCounts {
  const { positives, negatives } = assertBinaryClassificationInput(scores, labels, { metric: 'binaryThresholdCounts' });
  const positiveScores = new Float64Array(positives);
  const negativeScores = new Float64Array(negatives);
  let p = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) positiveScores[p++] = scores[i]!;
    else negativeScores[n++] = scores[i]!;
  }
  positiveScores.sort();
  negativeScores.sort();

  const capacity = positives + negatives;
  const thresholds = new Float64Array(capacity);
  const truePositives = new Float64Array(capacity);
  const falsePositives = new Float64Array(capacity);
  let i = positives - 1;
  let j = negatives - 1;
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (i >= 0 || j >= 0) {
    const threshold = Math.max(i >= 0 ? positiveScores[i]! : -Infinity, j >= 0 ? negativeScores[j]! : -Infinity);
    // `===` also merges -0 and +0, which sort apart in a typed array but are the same score.
    while (i >= 0 && positiveScores[i] === threshold) {
      tp++;
      i--;
    }
    while (j >= 0 && negativeScores[j] === threshold) {
      fp++;
      j--;
    }
    thresholds[k] = threshold;
    truePositives[k] = tp;
    falsePositives[k] = fp;
    k++;
  }
  return {
    thresholds: thresholds.subarray(0, k),
    truePositives: truePositives.subarray(0, k),
    falsePositives: falsePositives.subarray(0, k),
    positives,
    negatives,
  };
}
