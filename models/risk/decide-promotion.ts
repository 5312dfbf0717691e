/** The validation figures two models are compared on (the same validation rows for both). */
export interface ComparableMetrics {
  readonly prAuc: number;
  readonly rocAuc: number;
}

export interface PromotionDecision {
  readonly promote: boolean;
  readonly reason: string;
}

/**
 * Whether a candidate model may replace the one in service: only when it is not worse on the *same*
 * validation rows — PR-AUC (the figure that matters with rare fraud) and ROC-AUC each at least the
 * serving model's minus `tolerance`. With nothing in service, any candidate with finite metrics is promoted.
 *
 * @param tolerance allowed shortfall for noise, ≥ 0. Default 0.
 * @example
 * decidePromotion({ prAuc: 0.80, rocAuc: 0.95 }, { prAuc: 0.82, rocAuc: 0.96 }).promote; // false
 */
export function decidePromotion(candidate: ComparableMetrics, serving: ComparableMetrics | undefined, tolerance = 0): PromotionDecision {
  if (!(tolerance >= 0)) throw new RangeError(`decidePromotion: tolerance must be ≥ 0, got ${tolerance}`);
  if (!Number.isFinite(candidate.prAuc) || !Number.isFinite(candidate.rocAuc)) {
    return { promote: false, reason: `candidate metrics are not finite (PR-AUC ${candidate.prAuc}, ROC-AUC ${candidate.rocAuc})` };
  }
  if (serving === undefined) return { promote: true, reason: 'no model in service' };
  const fmt = (value: number): string => value.toFixed(4);
  if (candidate.prAuc < serving.prAuc - tolerance) {
    return { promote: false, reason: `PR-AUC ${fmt(candidate.prAuc)} is below the serving model's ${fmt(serving.prAuc)} on the same validation rows` };
  }
  if (candidate.rocAuc < serving.rocAuc - tolerance) {
    return { promote: false, reason: `ROC-AUC ${fmt(candidate.rocAuc)} is below the serving model's ${fmt(serving.rocAuc)} on the same validation rows` };
  }
  return { promote: true, reason: `not worse than the serving model (PR-AUC ${fmt(candidate.prAuc)} vs ${fmt(serving.prAuc)}, ROC-AUC ${fmt(candidate.rocAuc)} vs ${fmt(serving.rocAuc)})` };
}
