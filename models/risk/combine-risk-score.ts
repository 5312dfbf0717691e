/**
 * Combines independent pieces of evidence by noisy-OR: the score is the chance that at least one of
 * them is right, `1 − Π (1 − pᵢ)`. A rule never lowers the model's probability, two weak reasons add
 * up to more than either, and the result stays in [0, 1].
 *
 * @param probabilities each in [0, 1] (the calibrated model probability and the fired rules' weights)
 * @returns the combined score in [0, 1]; 0 for an empty list
 * @throws {RangeError} when a probability is outside [0, 1] or not a number
 *
 * @example
 * combineRiskScore([0.5, 0.5]); // 0.75
 */
export function combineRiskScore(probabilities: readonly number[]): number {
  let keep = 1;
  for (const probability of probabilities) {
    if (!(probability >= 0 && probability <= 1)) {
      throw new RangeError(`combineRiskScore: every probability must be in [0, 1], got ${probability}`);
    }
    keep *= 1 - probability;
  }
  return 1 - keep;
}
