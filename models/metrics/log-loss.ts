import { assertBinaryClassificationInput } from './assert-binary-classification-input.ts';

/**
 * Mean binary cross-entropy −[y·ln p + (1−y)·ln(1−p)] in nats. Probabilities of exactly 0 or 1
 * would give an infinite loss for one wrong row, so p and 1 − p are each clipped to
 * [ε, 1 − ε] with ε = Number.EPSILON, exactly as scikit-learn `log_loss(labels, probabilities)`
 * (≥ 1.5) does; a confidently wrong row costs −ln ε ≈ 36.04.
 *
 * @param probabilities predicted probabilities of the positive class, in [0, 1]
 * @param labels 0 or 1, same length
 * @returns the log loss, >= 0
 * @throws {RangeError} on mismatched lengths, an empty input, a probability outside [0, 1] or a label other than 0/1
 *
 * @example
 * logLoss([0.1, 0.9, 0.8, 0.3], [0, 1, 1, 0]); // 0.19763488164214868
 */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  assertBinaryClassificationInput(probabilities, labels, { metric: 'logLoss', probabilities: true });
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    // Clip the probability of the observed class, computed as scikit-learn does (1 - p before clipping).
    const observed = labels[i] === 1 ? probabilities[i]! : 1 - probabilities[i]!;
    sum -= Math.log(Math.min(Math.max(observed, EPSILON), 1 - EPSILON));
  }
  return sum / probabilities.length;
}

const EPSILON = Number.EPSILON;
