/**
 * Rounds a fraud score to 4 decimals for API responses. Scores are noisy-OR products
 * (models/risk/combine-risk-score.ts), so floating point leaves tails like 0.9997900000000001; the
 * decisions and tiers are made on the exact score, only what is shown is rounded.
 *
 * @example
 * roundScore(0.9997900000000001); // 0.9998
 * roundScore(null); // null (unscored stays unscored)
 */
export function roundScore<T extends number | null>(score: T): T {
  return (score === null ? null : Math.round(score * 10_000) / 10_000) as T;
}
