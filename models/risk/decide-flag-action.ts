import type { RiskTier } from './risk-tier.ts';

export type RiskFlagStatus = 'open' | 'confirmed' | 'dismissed' | 'expired';

export interface FlagCandidate {
  /** The customer's latest tier; 'unscored' customers never open, update or expire flags. */
  readonly tier: RiskTier | 'unscored';
  readonly score: number | null;
  /** Hard evidence count now (countHardEvidence). */
  readonly evidenceCount: number;
}

export interface FlagSummary {
  readonly status: RiskFlagStatus;
  readonly score: number;
  readonly evidenceCount: number;
}

export interface FlagPolicy {
  /** A decided flag reopens when the score rose at least this much since it was opened. Default 0.15. */
  readonly reopenScoreIncrease: number;
}

export const DEFAULT_FLAG_POLICY: FlagPolicy = Object.freeze({ reopenScoreIncrease: 0.15 });

export type FlagAction =
  | { readonly action: 'none'; readonly why: string }
  | { readonly action: 'open'; readonly why: string }
  | { readonly action: 'update'; readonly why: string }
  | { readonly action: 'expire'; readonly why: string };

/**
 * What the risk job does with a customer's flags (one open flag per customer at most):
 * - an open flag is kept up to date while the customer stays in review/high, and expires when the
 *   score falls back to low (the evidence aged out of its window before anyone looked);
 * - a customer in review/high without an open flag gets one — unless a reviewer already decided
 *   (confirmed or dismissed) on the same evidence: then only *new* hard evidence or a score rise of
 *   `reopenScoreIncrease` reopens it, so a dismissed honest customer is not re-queued every run;
 * - an expired flag was never decided, so it does not hold a new one back — nor does it hide the
 *   decision before it: `lastDecidedFlag` is the customer's last confirmed or dismissed flag.
 *
 * @example
 * decideFlagAction({ tier: 'high', score: 0.9, evidenceCount: 3 }, undefined, { status: 'dismissed', score: 0.88, evidenceCount: 3 }).action; // 'none'
 */
export function decideFlagAction(
  current: FlagCandidate,
  openFlag: FlagSummary | undefined,
  lastDecidedFlag: FlagSummary | undefined,
  policy: FlagPolicy = DEFAULT_FLAG_POLICY,
): FlagAction {
  if (current.tier === 'unscored' || current.score === null) return { action: 'none', why: 'customer is unscored; flags are left as they are' };
  const flagged = current.tier === 'review' || current.tier === 'high';
  if (openFlag !== undefined) {
    return flagged ? { action: 'update', why: `still ${current.tier}` } : { action: 'expire', why: 'score fell back to low before a decision' };
  }
  if (!flagged) return { action: 'none', why: 'low tier' };
  if (lastDecidedFlag === undefined || lastDecidedFlag.status === 'expired') return { action: 'open', why: `new ${current.tier} customer` };
  if (current.evidenceCount > lastDecidedFlag.evidenceCount) {
    return { action: 'open', why: `new evidence since the ${lastDecidedFlag.status} flag (${lastDecidedFlag.evidenceCount} → ${current.evidenceCount})` };
  }
  if (current.score >= lastDecidedFlag.score + policy.reopenScoreIncrease) {
    return { action: 'open', why: `score rose from ${lastDecidedFlag.score.toFixed(2)} to ${current.score.toFixed(2)} since the ${lastDecidedFlag.status} flag` };
  }
  return { action: 'none', why: `already ${lastDecidedFlag.status} on the same evidence` };
}
