import { precisionAtK } from './precision-at-k.ts';

/**
 * Precision among the top `fraction` of rows by score (e.g. 0.01 for "precision at 1%"), with
 * k = ceil(fraction · rows), at least 1. The product is rounded to 12 significant digits first
 * so that 0.01 · 300 = 3.0000000000000004 gives k = 3, not 4. Ties at the cut-off are handled as
 * in {@link precisionAtK}.
 *
 * @param scores finite scores (higher = more likely positive)
 * @param labels 0 or 1, same length
 * @param fraction share of rows to take, in (0, 1]
 * @returns precision in [0, 1]
 * @throws {RangeError} on invalid input or a fraction out of range
 *
 * @example
 * precisionAtFraction(scores, labels, 0.01); // precision among the top 1%
 */
export function precisionAtFraction(scores: ArrayLike<number>, labels: ArrayLike<number>, fraction: number): number {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`precisionAtFraction: fraction must be in (0, 1], got ${fraction}`);
  const k = Math.max(1, Math.ceil(Number((fraction * scores.length).toPrecision(12))));
  return precisionAtK(scores, labels, k);
}
