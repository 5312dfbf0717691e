import { assertBinaryClassificationInput } from './assert-binary-classification-input.ts';

/**
 * Brier score: the mean squared difference between predicted probability and outcome (lower is
 * better; 0.25 for a constant 0.5). Matches scikit-learn `brier_score_loss(labels, probabilities)`.
 *
 * @param probabilities predicted probabilities of the positive class, in [0, 1]
 * @param labels 0 or 1, same length
 * @returns the Brier score in [0, 1]
 * @throws {RangeError} on mismatched lengths, an empty input, a probability outside [0, 1] or a label other than 0/1
 *
 * @example
 * brierScore([0.1, 0.9, 0.8, 0.3], [0, 1, 1, 0]); // 0.0375
 */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  assertBinaryClassificationInput(probabilities, labels, { metric: 'brierScore', probabilities: true });
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const difference = probabilities[i]! - labels[i]!;
    sum += difference * difference;
  }
  return sum / probabilities.length;
}
