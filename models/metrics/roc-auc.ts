import { assertBinaryClassificationInput } from './assert-binary-classification-input.ts';
import { binaryThresholdCounts } from './binary-threshold-counts.ts';

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative, counting ties as one half (the trapezoidal rule over tied thresholds). Matches
 * scikit-learn `roc_auc_score(labels, scores)`.
 *
 * @param scores finite scores (higher = more likely positive)
 * @param labels 0 or 1, same length, with at least one of each
 * @returns AUC in [0, 1]
 * @throws {RangeError} on invalid input or when a class is missing (AUC is undefined)
 *
 * @example
 * rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  assertBinaryClassificationInput(scores, labels, { metric: 'rocAuc', requiredClasses: 'both' });
  const { truePositives, falsePositives, positives, negatives } = binaryThresholdCounts(scores, labels);
  // Twice the area in count units: Σ Δfp · (tp + tp_prev). Integers below 2^53, so exact.
  let doubledArea = 0;
  let previousTp = 0;
  let previousFp = 0;
  for (let k = 0; k < truePositives.length; k++) {
    const tp = truePositives[k]!;
    const fp = falsePositives[k]!;
    doubledArea += (fp - previousFp) * (tp + previousTp);
    previousTp = tp;
    previousFp = fp;
  }
  return doubledArea / (2 * positives * negatives);
}
