import { minorUnitDigits } from '../../domain/events/currency-codes.ts';
import { PRODUCT_FAULT_REASONS, type ReturnReason } from '../../domain/events/vocabulary.ts';
import { combineRiskScore } from './combine-risk-score.ts';
import type { CustomerRiskSnapshot } from '../../domain/risk/customer-risk-snapshot.ts';
import { DEFAULT_RISK_TIER_THRESHOLDS, type RiskTierThresholds } from './risk-tier.ts';

export interface ProposedReturnLine {
  readonly productId: string;
  readonly quantity: number;
  readonly reason: string;
  /** Minor units. */
  readonly unitPrice: number;
}

export interface ProposedReturn {
  readonly customerId: string;
  readonly orderId?: string | undefined;
  /** ISO 4217 code of the lines' unit prices (the order's currency); absent = not stated. */
  readonly currency?: string | undefined;
  readonly lines: readonly ProposedReturnLine[];
}

export type ReturnDecision = 'approve' | 'inspect_before_refund' | 'review' | 'decline';

export interface ProposedReturnScore {
  readonly score: number | null;
  readonly decision: ReturnDecision;
  readonly reasons: readonly { readonly code: string; readonly text: string }[];
  readonly modelVersion: string | null;
  readonly status: 'scored' | 'unscored';
}

export interface ProposedReturnPolicy {
  readonly thresholds: RiskTierThresholds;
  /**
   * Returns worth at least this (minor units) are inspected before refund unless the customer is known
   * low-risk, in any currency without its own entry in `highValueByCurrency`. Default 20000.
   */
  readonly highValue: number;
  /** Per-currency thresholds in that currency's minor units (20000 cents is not 20000 yen). Default none. */
  readonly highValueByCurrency: Readonly<Record<string, number>>;
  /** Decline only at or above this score *and* with hard evidence (≥ 2 not-declared items or missing parcels). Default 0.95. */
  readonly decline: number;
}

export const DEFAULT_PROPOSED_RETURN_POLICY: ProposedReturnPolicy = Object.freeze({
  thresholds: DEFAULT_RISK_TIER_THRESHOLDS,
  highValue: 20_000,
  highValueByCurrency: Object.freeze({}),
  decline: 0.95,
});

const DEFECT_REASONS = new Set<string>(PRODUCT_FAULT_REASONS satisfies readonly ReturnReason[]);
const RANK: Record<ReturnDecision, number> = { approve: 0, inspect_before_refund: 1, review: 2, decline: 3 };
const atLeast = (a: ReturnDecision, b: ReturnDecision): ReturnDecision => (RANK[a] >= RANK[b] ? a : b);

/**
 * An amount in minor units as a reader reads it, with its currency: ISO 4217 says how many minor
 * units make one major unit (EUR 2, JPY 0, KWD 3). Without a currency the digits cannot be placed.
 *
 * @example
 * formatMinorUnits(123_456, 'EUR'); // '1234.56 EUR'
 * formatMinorUnits(30_000, 'JPY');  // '30000 JPY'
 * formatMinorUnits(500, undefined); // '500 minor units (currency not given)'
 */
export function formatMinorUnits(minor: number, currency: string | undefined): string {
  if (!Number.isInteger(minor)) throw new RangeError(`formatMinorUnits: minor units must be an integer, got ${minor}`);
  if (currency === undefined) return `${minor} minor units (currency not given)`;
  const digits = minorUnitDigits(currency);
  if (digits === 0) return `${minor} ${currency}`;
  // BigInt: a return's value can pass 2^53 minor units, where float division shows wrong digits.
  const units = BigInt(Math.abs(minor));
  const scale = 10n ** BigInt(digits);
  return `${minor < 0 ? '-' : ''}${units / scale}.${String(units % scale).padStart(digits, '0')} ${currency}`;
}

/** The policy's high-value threshold for a request in `currency` (minor units of that currency). */
export function highValueThreshold(policy: ProposedReturnPolicy, currency: string | undefined): number {
  return (currency === undefined ? undefined : policy.highValueByCurrency[currency]) ?? policy.highValue;
}

/** How long a confirmed verdict keeps every return of the customer in review (the features' longest window). */
const CONFIRMED_REVIEW_DAYS = 365;

/**
 * The reviewers' last verdict on the customer, applied to a decision (pushing onto `reasons` what it
 * changed): a customer found legitimate is not held for review again on the evidence the reviewer
 * saw — at most inspected, until a risk run counts new hard evidence or the request itself adds
 * some — and one confirmed as fraud or abuse in the last year is always reviewed. The flag lifecycle
 * follows the same rule (a dismissed flag reopens only on new evidence).
 */
function followLastReview(snapshot: CustomerRiskSnapshot, decision: ReturnDecision, requestAddsEvidence: boolean, reasons: { code: string; text: string }[]): ReturnDecision {
  const review = snapshot.lastReview;
  if (review === null) return decision;
  const day = review.decidedAt.slice(0, 10);
  if (review.outcome === 'confirmed') {
    if (Date.parse(snapshot.computedAt) - Date.parse(review.decidedAt) > CONFIRMED_REVIEW_DAYS * 86_400_000) return decision;
    if (RANK[decision] < RANK.review) reasons.push({ code: 'CONFIRMED_BY_REVIEW', text: `a reviewer confirmed fraud or abuse on ${day}: every return is reviewed for a year` });
    return atLeast(decision, 'review');
  }
  if (RANK[decision] <= RANK.inspect_before_refund || requestAddsEvidence || snapshot.evidenceCount > review.evidenceCount) return decision;
  reasons.push({ code: 'CLEARED_BY_REVIEW', text: `a reviewer found this customer legitimate on ${day} and no new evidence has come since: inspected before refund, not held for review` });
  return 'inspect_before_refund';
}

/**
 * The real-time answer while a customer starts a return: the customer's latest score combined with
 * what this request adds (its value, defect claims from a customer whose defect claims are usually
 * not confirmed). Pure and allocation-light: the API calls it with a snapshot from an in-memory Map.
 *
 * - unknown or unscored customer → `status: 'unscored'`, `score: null`, and a safe decision:
 *   inspect before refund from `highValue`, approve below (never a silent "low risk" 0);
 * - `decline` needs both a score ≥ `policy.decline` and hard evidence; `high` tier → `review`;
 *   `review` tier → `inspect_before_refund`; low → `approve` unless the request itself asks for a check;
 * - the last review counts (followLastReview): a customer found legitimate is at most inspected until
 *   new evidence, one confirmed in the last year is always reviewed;
 * - reasons are never empty: with no rule reason, `LOW_RISK` (approve) or `RISK_TIER` names the score and tier.
 *
 * @throws {RangeError} on an empty request or a line with a non-positive quantity or negative price
 * @example
 * scoreProposedReturn(undefined, { customerId: 'c1', lines: [{ productId: 'p', quantity: 1, reason: 'fit.too_small', unitPrice: 50_000 }] });
 * // { score: null, decision: 'inspect_before_refund', status: 'unscored', … }
 */
export function scoreProposedReturn(
  snapshot: CustomerRiskSnapshot | undefined,
  request: ProposedReturn,
  policy: ProposedReturnPolicy = DEFAULT_PROPOSED_RETURN_POLICY,
): ProposedReturnScore {
  if (request.lines.length === 0) throw new RangeError('scoreProposedReturn: a return needs at least one line');
  let value = 0;
  let defectLines = 0;
  for (const line of request.lines) {
    if (!(Number.isInteger(line.quantity) && line.quantity >= 1)) throw new RangeError(`scoreProposedReturn: quantity must be a positive integer, got ${line.quantity} for ${line.productId}`);
    if (!(Number.isFinite(line.unitPrice) && line.unitPrice >= 0)) throw new RangeError(`scoreProposedReturn: unitPrice must be ≥ 0 minor units, got ${line.unitPrice} for ${line.productId}`);
    value += line.quantity * line.unitPrice;
    if (DEFECT_REASONS.has(line.reason)) defectLines += line.quantity;
  }
  const highValue = value >= highValueThreshold(policy, request.currency);
  const reasons: { code: string; text: string }[] = [];

  if (snapshot === undefined || snapshot.status === 'unscored' || snapshot.score === null) {
    reasons.push(
      snapshot === undefined
        ? { code: 'UNSCORED_UNKNOWN_CUSTOMER', text: 'no risk score for this customer yet (no history, or not scored since their first activity)' }
        : { code: 'UNSCORED', text: 'the customer could not be scored in the latest risk run' },
    );
    if (highValue) reasons.push({ code: 'HIGH_VALUE', text: `return worth ${formatMinorUnits(value, request.currency)} without a score: inspect before refunding` });
    return { score: null, decision: highValue ? 'inspect_before_refund' : 'approve', reasons, modelVersion: snapshot?.modelVersion ?? null, status: 'unscored' };
  }

  for (const reason of snapshot.reasons) reasons.push({ code: reason.code, text: reason.text });
  const requestWeights: number[] = [];
  let decision: ReturnDecision = 'approve';
  const noFaultShare = snapshot.noFaultFoundShare365d;
  if (defectLines > 0 && snapshot.defectClaimLines365d >= 2 && noFaultShare >= 0.5) {
    requestWeights.push(0.3);
    decision = atLeast(decision, 'inspect_before_refund');
    reasons.push({
      code: 'REQUEST_DEFECT_UNCONFIRMED_HISTORY',
      text: `claims a defect; ${Math.round(noFaultShare * 100)}% of this customer's ${snapshot.defectClaimLines365d} past defect returns had no fault found`,
    });
  }
  if (highValue && snapshot.tier !== 'low') {
    decision = atLeast(decision, 'inspect_before_refund');
    reasons.push({ code: 'HIGH_VALUE', text: `return worth ${formatMinorUnits(value, request.currency)} from a customer in the ${snapshot.tier} tier` });
  }
  // Only combine when the request adds evidence: 1 − (1 − s) is not always exactly s in floating point.
  const score = requestWeights.length === 0 ? snapshot.score : combineRiskScore([snapshot.score, ...requestWeights]);
  const hardEvidence = snapshot.notDeclared90d + snapshot.refundsWithoutReceipt365d;
  if (score >= policy.decline && hardEvidence >= 2) decision = 'decline';
  else if (score >= policy.thresholds.high) decision = atLeast(decision, 'review');
  else if (score >= policy.thresholds.review) decision = atLeast(decision, 'inspect_before_refund');
  decision = followLastReview(snapshot, decision, requestWeights.length > 0, reasons);
  // Every answer says why: with no rule reason, an empty list read as "not looked at".
  if (reasons.length === 0) {
    reasons.push({
      code: decision === 'approve' ? 'LOW_RISK' : 'RISK_TIER',
      text: `score ${score.toFixed(4)} is in the ${snapshot.tier} tier (review from ${policy.thresholds.review}, high from ${policy.thresholds.high}); no rule found evidence of abuse in the customer's history`,
    });
  }
  return { score, decision, reasons, modelVersion: snapshot.modelVersion, status: 'scored' };
}
