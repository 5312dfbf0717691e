import { assertBinaryClassificationInput } from './assert-binary-classification-input.ts';

/**
 * Precision among the k highest-scored rows (e.g. "of the 100 customers we would review, how many
 * are truly fraudulent").
 *
 * Ties at the cut-off are not broken arbitrarily: rows tied with the k-th score share the remaining
 * slots, so each contributes its class at the tied group's positive rate. The result is the
 * expected precision under a random tie-break, and does not depend on row order.
 *
 * @param scores finite scores (higher = more likely positive)
 * @param labels 0 or 1, same length
 * @param k number of rows taken from the top, an integer in [1, rows]
 * @returns precision in [0, 1]
 * @throws {RangeError} on invalid input or k out of range
 *
 * @example
 * precisionAtK([0.9, 0.8, 0.8, 0.1], [1, 0, 1, 0], 2); // 0.75 (the top row plus half of the tied pair)
 */
export function precisionAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  assertBinaryClassificationInput(scores, labels, { metric: 'precisionAtK' });
  const rows = scores.length;
  if (!(Number.isInteger(k) && k >= 1 && k <= rows)) {
    throw new RangeError(`precisionAtK: k must be an integer in [1, ${rows}] (the number of rows), got ${k}`);
  }
  const sorted = Float64Array.from(scores).sort();
  const cutoff = sorted[rows - k]!;
  let above = 0;
  let positivesAbove = 0;
  let tied = 0;
  let positivesTied = 0;
  for (let i = 0; i < rows; i++) {
    const score = scores[i]!;
    if (score > cutoff) {
      above++;
      positivesAbove += labels[i]!;
    } else if (score === cutoff) {
      tied++;
      positivesTied += labels[i]!;
    }
  }
  return (positivesAbove + ((k - above) * positivesTied) / tied) / k;
}
