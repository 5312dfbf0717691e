export type RiskTier = 'low' | 'review' | 'high';

export interface RiskTierThresholds {
  /** Scores at or above go to review. Default 0.5 (RETOUR_RISK_REVIEW_THRESHOLD). */
  readonly review: number;
  /** Scores at or above are high risk. Default 0.8 (RETOUR_RISK_HIGH_THRESHOLD). */
  readonly high: number;
}

export const DEFAULT_RISK_TIER_THRESHOLDS: RiskTierThresholds = Object.freeze({ review: 0.5, high: 0.8 });

/** The configured thresholds, as the risk job and the score endpoint both read them: high is never below review. */
export function tierThresholdsOf(config: { riskReviewThreshold: number; riskHighThreshold: number }): RiskTierThresholds {
  return { review: config.riskReviewThreshold, high: Math.max(config.riskHighThreshold, config.riskReviewThreshold) };
}

/**
 * The tier of a score: `high` from `thresholds.high`, `review` from `thresholds.review`, else `low`.
 *
 * @throws {RangeError} when the score is outside [0, 1] or the thresholds are not 0 < review ≤ high ≤ 1
 * @example
 * riskTier(0.62); // 'review'
 */
export function riskTier(score: number, thresholds: RiskTierThresholds = DEFAULT_RISK_TIER_THRESHOLDS): RiskTier {
  if (!(thresholds.review > 0 && thresholds.review <= thresholds.high && thresholds.high <= 1)) {
    throw new RangeError(`riskTier: thresholds must satisfy 0 < review ≤ high ≤ 1, got review ${thresholds.review}, high ${thresholds.high}`);
  }
  if (!(score >= 0 && score <= 1)) throw new RangeError(`riskTier: score must be in [0, 1], got ${score}`);
  if (score >= thresholds.high) return 'high';
  if (score >= thresholds.review) return 'review';
  return 'low';
}
