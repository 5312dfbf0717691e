import { assertBinaryClassificationInput } from './assert-binary-classification-input.ts';
import { binaryThresholdCounts } from './binary-threshold-counts.ts';

/**
 * Average precision (the step-wise area under the precision-recall curve, "PR-AUC"):
 * Σ (Rₖ - Rₖ₋₁) · Pₖ over distinct thresholds from the highest score down, with no interpolation.
 * Matches scikit-learn `average_precision_score(labels, scores)`. A random ranking scores about
 * the positive rate, not 0.5.
 *
 * @param scores finite scores (higher = more likely positive)
 * @param labels 0 or 1, same length, with at least one positive
 * @returns average precision in [0, 1]
 * @throws {RangeError} on invalid input or when there is no positive label
 *
 * @example
 * averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.8333333333333333
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  assertBinaryClassificationInput(scores, labels, { metric: 'averagePrecision', requiredClasses: 'positive' });
  const { truePositives, falsePositives, positives } = binaryThresholdCounts(scores, labels);
  let sum = 0;
  let previousTp = 0;
  for (let k = 0; k < truePositives.length; k++) {
    const tp = truePositives[k]!;
    if (tp !== previousTp) sum += ((tp - previousTp) * tp) / (tp + falsePositives[k]!);
    previousTp = tp;
  }
  return sum / positives;
}
