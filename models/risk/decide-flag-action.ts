import type { RiskTier } from './risk-tier.ts';

export type RiskFlagStatus = 'open' | 'confirmed' | 'dismissed' | 'expired';

export interface FlagCandidate {
  /** The customer's latest tier; 'unscored' customers never open, update or expire flags. */
  readonly tier: RiskTier | 'unscored';
  readonly score: number | null;
  /** Hard evidence count now (countHardEvidence). */
  readonly evidenceCount: number;
  /** The model the score came from; null = rules only (no model in service). */
  readonly modelVersion: string | null;
}

export interface FlagSummary {
  readonly status: RiskFlagStatus;
  readonly score: number;
  readonly evidenceCount: number;
  /** The model the flag's score came from (its last refresh before the decision); null = rules only. */
  readonly modelVersion: string | null;
}

export interface FlagPolicy {
  /** A decided flag reopens when the score, under the same model, rose at least this much since the decision. Default 0.15. */
  readonly reopenScoreIncrease: number;
}

export const DEFAULT_FLAG_POLICY: FlagPolicy = Object.freeze({ reopenScoreIncrease: 0.15 });

export type FlagAction =
  | { readonly action: 'none'; readonly why: string }
  | { readonly action: 'open'; readonly why: string }
  | { readonly action: 'update'; readonly why: string }
  | { readonly action: 'expire'; readonly why: string };

function modelName(version: string | null): string {
  return version ?? 'rules only';
}

/**
 * What the risk job does with a customer's flags (one open flag per customer at most):
 * - an open flag is kept up to date while the customer stays in review/high, and expires when the
 *   score falls back to low (the evidence aged out of its window before anyone looked);
 * - a customer in review/high without an open flag gets one — unless a reviewer already decided
 *   (confirmed or dismissed) on the same evidence: then only *new* hard evidence or a score rise of
 *   `reopenScoreIncrease` reopens it, so a dismissed honest customer is not re-queued every run;
 * - a score rise counts only when the score comes from the model the decided flag's score came from:
 *   scores of two models are not comparable (a newly promoted model that scores everyone 0.15 higher
 *   re-queued every dismissed customer though nothing about them had changed); after a model change
 *   only new hard evidence reopens a decided flag;
 * - an expired flag was never decided, so it does not hold a new one back — nor does it hide the
 *   decision before it: `lastDecidedFlag` is the customer's last confirmed or dismissed flag.
 *
 * @example
 * decideFlagAction({ tier: 'high', score: 0.9, evidenceCount: 3, modelVersion: 'rf-b' }, undefined, { status: 'dismissed', score: 0.7, evidenceCount: 3, modelVersion: 'rf-a' }).action; // 'none': the model changed
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
    if (current.modelVersion !== lastDecidedFlag.modelVersion) {
      return {
        action: 'none',
        why:
          `already ${lastDecidedFlag.status} on the same evidence; the score rose from ${lastDecidedFlag.score.toFixed(2)} to ${current.score.toFixed(2)} ` +
          `but under another model (${modelName(lastDecidedFlag.modelVersion)} → ${modelName(current.modelVersion)}), and the scores of two models are not compared`,
      };
    }
    return { action: 'open', why: `score rose from ${lastDecidedFlag.score.toFixed(2)} to ${current.score.toFixed(2)} under the same model (${modelName(current.modelVersion)}) since the ${lastDecidedFlag.status} flag` };
  }
  return { action: 'none', why: `already ${lastDecidedFlag.status} on the same evidence` };
}
