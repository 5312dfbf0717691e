/** Class counts of a validated binary-classification input. */
export interface BinaryClassCounts {
  positives: number;
  negatives: number;
}

export interface BinaryClassificationInputRules {
  /** Name of the metric, used in error messages (e.g. 'rocAuc'). */
  metric: string;
  /** Scores must be probabilities in [0, 1] (Brier score, log loss, calibration). Default false. */
  probabilities?: boolean;
  /** Classes that must be present: 'both' (ROC), 'positive' (precision-recall) or 'none'. Default 'none'. */
  requiredClasses?: 'both' | 'positive' | 'none';
}

/**
 * Checks the common preconditions of a binary-classification metric and counts the classes:
 * equal, non-zero lengths; finite scores (in [0, 1] for probabilities); labels exactly 0 or 1; and
 * the classes the metric needs.
 *
 * @param scores one score per row
 * @param labels one label per row, 0 or 1
 * @param rules metric name for messages and the requirements above
 * @returns `{ positives, negatives }`
 * @throws {RangeError} naming the metric, the rule and the offending value
 *
 * @example
 * assertBinaryClassificationInput([0.2, 0.9], [0, 1], { metric: 'rocAuc', requiredClasses: 'both' });
 * // { positives: 1, negatives: 1 }
 */
export function assertBinaryClassificationInput(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  rules: BinaryClassificationInputRules,
): BinaryClassCounts {
  const { metric } = rules;
  const scoresName = rules.probabilities === true ? 'probabilities' : 'scores';
  if (scores.length !== labels.length) {
    throw new RangeError(`${metric}: ${scoresName} and labels must have the same length, got ${scores.length} and ${labels.length}`);
  }
  if (scores.length === 0) throw new RangeError(`${metric}: needs at least one row, got 0`);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === 1) positives++;
    else if (label !== 0) throw new RangeError(`${metric}: labels must be 0 or 1, got labels[${i}] = ${label}`);
  }
  if (rules.probabilities === true) {
    for (let i = 0; i < scores.length; i++) {
      const p = scores[i]!;
      if (!(p >= 0 && p <= 1)) throw new RangeError(`${metric}: probabilities must be in [0, 1], got probabilities[${i}] = ${p}`);
    }
  } else {
    for (let i = 0; i < scores.length; i++) {
      if (!Number.isFinite(scores[i])) throw new RangeError(`${metric}: scores must be finite numbers, got scores[${i}] = ${scores[i]}`);
    }
  }
  const negatives = labels.length - positives;
  const required = rules.requiredClasses ?? 'none';
  if (required !== 'none' && positives === 0) {
    throw new RangeError(`${metric}: needs at least one positive label (1), got none in ${labels.length} rows`);
  }
  if (required === 'both' && negatives === 0) {
    throw new RangeError(`${metric}: needs at least one negative label (0), got none in ${labels.length} rows`);
  }
  return { positives, negatives };
}
