import { describe, expect, it } from 'vitest';
import type { CustomerRiskSnapshot } from '../../../domain/risk/customer-risk-snapshot.ts';
import { DEFAULT_PROPOSED_RETURN_POLICY, formatMinorUnits, scoreProposedReturn } from '../../../models/risk/score-proposed-return.ts';

const snapshot = (values: Partial<CustomerRiskSnapshot>): CustomerRiskSnapshot => ({
  customerId: 'c1', status: 'scored', score: 0.05, tier: 'low', reasons: [], modelVersion: 'rf-1', computedAt: '2026-01-01T00:00:00.000Z',
  fraudTypeHint: null, notDeclared90d: 0, usedReturns90d: 0, refundsWithoutReceipt365d: 0, defectClaimLines365d: 0, noFaultFoundShare365d: Number.NaN,
  returnedValue90d: 0, accountAgeDays: 400, ringSize: 1, linkedCustomerIds: [], openFlagId: null, evidenceCount: 0, lastReview: null, ...values,
});
const request = (unitPrice: number, reason = 'fit.too_small') => ({ customerId: 'c1', lines: [{ productId: 'p1', quantity: 1, reason, unitPrice }] });

describe('scoreProposedReturn', () => {
  it('answers an unknown customer explicitly unscored: approve when cheap, inspect before refund when valuable', () => {
    expect(scoreProposedReturn(undefined, request(1_000))).toEqual({
      score: null, decision: 'approve', status: 'unscored', modelVersion: null,
      reasons: [{ code: 'UNSCORED_UNKNOWN_CUSTOMER', text: 'no risk score for this customer yet (no history, or not scored since their first activity)' }],
    });
    const valuable = scoreProposedReturn(undefined, request(50_000));
    expect(valuable.decision).toBe('inspect_before_refund');
    expect(valuable.reasons.map((reason) => reason.code)).toEqual(['UNSCORED_UNKNOWN_CUSTOMER', 'HIGH_VALUE']);
    expect(scoreProposedReturn(snapshot({ status: 'unscored', score: null, tier: 'unscored' }), request(50_000))).toMatchObject({ status: 'unscored', decision: 'inspect_before_refund', score: null });
  });

  it('approves a low-risk customer, even for a valuable return, and says why', () => {
    expect(scoreProposedReturn(snapshot({}), request(90_000))).toEqual({
      decision: 'approve', score: 0.05, status: 'scored', modelVersion: 'rf-1',
      // The answer had no reason at all: a service could not tell "nothing found" from "not looked at".
      reasons: [{ code: 'LOW_RISK', text: "score 0.0500 is in the low tier (review from 0.5, high from 0.8); no rule found evidence of abuse in the customer's history" }],
    });
  });

  it('explains a decision made on the score alone (a model score without rule reasons)', () => {
    expect(scoreProposedReturn(snapshot({ score: 0.85, tier: 'high' }), request(1_000)).reasons).toEqual([
      { code: 'RISK_TIER', text: "score 0.8500 is in the high tier (review from 0.5, high from 0.8); no rule found evidence of abuse in the customer's history" },
    ]);
  });

  it('inspects before refund in the review tier and sends the high tier to review', () => {
    expect(scoreProposedReturn(snapshot({ score: 0.6, tier: 'review' }), request(1_000)).decision).toBe('inspect_before_refund');
    expect(scoreProposedReturn(snapshot({ score: 0.85, tier: 'high' }), request(1_000)).decision).toBe('review');
  });

  it('declines only with a very high score and hard evidence', () => {
    const reasons = [{ code: 'NOT_DECLARED_ITEM', text: '3 returns inspected as not the declared item in 90 days', weight: 0.9 }];
    const result = scoreProposedReturn(snapshot({ score: 0.97, tier: 'high', notDeclared90d: 3, reasons }), request(1_000));
    expect(result).toMatchObject({ decision: 'decline', reasons: [{ code: 'NOT_DECLARED_ITEM', text: '3 returns inspected as not the declared item in 90 days' }] });
    expect(scoreProposedReturn(snapshot({ score: 0.97, tier: 'high', notDeclared90d: 1 }), request(1_000)).decision).toBe('review');
  });

  it('follows the last review: found legitimate, at most inspected until new evidence; confirmed in the last year, always reviewed', () => {
    const swapper = { score: 0.97, tier: 'high' as const, notDeclared90d: 3, evidenceCount: 3, reasons: [{ code: 'NOT_DECLARED_ITEM', text: '3 returns inspected as not the declared item in 90 days', weight: 0.9 }] };
    const cleared = { outcome: 'dismissed' as const, decidedAt: '2025-12-20T10:00:00.000Z', evidenceCount: 3 };
    // Declined (or reviewed) before the review; after it, inspected: the reviewer saw this evidence.
    expect(scoreProposedReturn(snapshot(swapper), request(1_000)).decision).toBe('decline');
    const afterClearing = scoreProposedReturn(snapshot({ ...swapper, lastReview: cleared }), request(1_000));
    expect(afterClearing).toMatchObject({ decision: 'inspect_before_refund', score: 0.97 });
    expect(afterClearing.reasons.map((reason) => reason.code)).toEqual(['NOT_DECLARED_ITEM', 'CLEARED_BY_REVIEW']);
    expect(afterClearing.reasons[1]!.text).toContain('2025-12-20');
    expect(scoreProposedReturn(snapshot({ score: 0.85, tier: 'high', evidenceCount: 0, lastReview: { ...cleared, evidenceCount: 0 } }), request(1_000)).decision).toBe('inspect_before_refund');
    // New hard evidence since the review: the review no longer covers it.
    expect(scoreProposedReturn(snapshot({ ...swapper, evidenceCount: 4, lastReview: cleared }), request(1_000)).decision).toBe('decline');
    // Nor what the request itself adds (a defect claim from a customer whose claims are usually unconfirmed).
    const claimer = { score: 0.85, tier: 'high' as const, defectClaimLines365d: 4, noFaultFoundShare365d: 1, lastReview: { ...cleared, evidenceCount: 0 } };
    expect(scoreProposedReturn(snapshot(claimer), request(1_000, 'quality.defective')).decision).toBe('review');
    // A lower decision is not raised by a clearing.
    expect(scoreProposedReturn(snapshot({ lastReview: cleared }), request(1_000))).toMatchObject({ decision: 'approve', reasons: [{ code: 'LOW_RISK' }] });

    const confirmed = { outcome: 'confirmed' as const, decidedAt: '2025-06-01T00:00:00.000Z', evidenceCount: 2 };
    const lowNow = scoreProposedReturn(snapshot({ lastReview: confirmed }), request(1_000));
    expect(lowNow).toMatchObject({ decision: 'review', reasons: [{ code: 'CONFIRMED_BY_REVIEW' }] });
    expect(scoreProposedReturn(snapshot({ ...swapper, lastReview: confirmed }), request(1_000)).decision).toBe('decline');
    // More than a year before the scores: the features' windows have moved on, and so does the answer.
    expect(scoreProposedReturn(snapshot({ lastReview: { ...confirmed, decidedAt: '2024-12-01T00:00:00.000Z' } }), request(1_000)).decision).toBe('approve');
  });

  it('asks for inspection when a defect is claimed by a customer whose defect claims are usually not confirmed', () => {
    const result = scoreProposedReturn(snapshot({ defectClaimLines365d: 4, noFaultFoundShare365d: 0.75 }), request(1_000, 'quality.defective'));
    expect(result.decision).toBe('inspect_before_refund');
    expect(result.score).toBeCloseTo(1 - 0.95 * 0.7, 12);
    expect(result.reasons.at(-1)).toEqual({ code: 'REQUEST_DEFECT_UNCONFIRMED_HISTORY', text: "claims a defect; 75% of this customer's 4 past defect returns had no fault found" });
    expect(scoreProposedReturn(snapshot({ defectClaimLines365d: 4, noFaultFoundShare365d: 0.75 }), request(1_000, 'fit.too_large')).decision).toBe('approve');
  });

  it('writes the value of a high-value return with its currency, in major units as ISO 4217 defines them', () => {
    const inCurrency = (currency: string | undefined, unitPrice: number) => scoreProposedReturn(snapshot({ score: 0.6, tier: 'review' }), { ...request(unitPrice), currency }).reasons.at(-1);
    // "return worth 500.00" was printed for 50000 minor units of any currency: yen have no minor unit.
    expect(inCurrency('EUR', 50_000)).toEqual({ code: 'HIGH_VALUE', text: 'return worth 500.00 EUR from a customer in the review tier' });
    expect(inCurrency('JPY', 50_000)?.text).toBe('return worth 50000 JPY from a customer in the review tier');
    expect(inCurrency('KWD', 50_000)?.text).toBe('return worth 50.000 KWD from a customer in the review tier');
    expect(inCurrency(undefined, 50_000)?.text).toBe('return worth 50000 minor units (currency not given) from a customer in the review tier');
    expect(scoreProposedReturn(undefined, { ...request(50_000), currency: 'GBP' }).reasons.at(-1)?.text).toBe('return worth 500.00 GBP without a score: inspect before refunding');
  });

  it('formats minor units with the ISO 4217 exponent of each currency (not CLDR display digits), exact beyond 2^53', () => {
    // ISO 4217 list one: HUF and IDR have 2 minor digits (Intl shows them with 0), CLP and XOF 0, BHD and TND 3.
    expect(['HUF', 'IDR', 'CLP', 'XOF', 'BHD', 'TND', 'USD', 'BGN'].map((currency) => formatMinorUnits(123_456, currency))).toEqual([
      '1234.56 HUF', '1234.56 IDR', '123456 CLP', '123456 XOF', '123.456 BHD', '123.456 TND', '1234.56 USD', '1234.56 BGN',
    ]);
    expect(formatMinorUnits(5, 'EUR')).toBe('0.05 EUR');
    expect(formatMinorUnits(2 ** 53 + 2, 'EUR')).toBe('90071992547409.94 EUR');
    expect(() => formatMinorUnits(1.5, 'EUR')).toThrow(RangeError);
  });

  it('takes the high-value threshold of the request\'s currency: 20000 cents is not 20000 yen', () => {
    const policy = { ...DEFAULT_PROPOSED_RETURN_POLICY, highValueByCurrency: { JPY: 30_000 } };
    const decide = (currency: string | undefined, unitPrice: number) => scoreProposedReturn(undefined, { ...request(unitPrice), currency }, policy).decision;
    expect(decide('JPY', 25_000)).toBe('approve');
    expect(decide('JPY', 30_000)).toBe('inspect_before_refund');
    expect(decide('EUR', 25_000)).toBe('inspect_before_refund');
    expect(decide(undefined, 20_000)).toBe('inspect_before_refund');
    expect(decide(undefined, 19_999)).toBe('approve');
  });

  it('refuses malformed requests', () => {
    expect(() => scoreProposedReturn(undefined, { customerId: 'c1', lines: [] })).toThrow(/at least one line/);
    expect(() => scoreProposedReturn(undefined, { customerId: 'c1', lines: [{ productId: 'p', quantity: 0, reason: 'other', unitPrice: 1 }] })).toThrow(/quantity/);
    expect(() => scoreProposedReturn(undefined, { customerId: 'c1', lines: [{ productId: 'p', quantity: 1, reason: 'other', unitPrice: -1 }] })).toThrow(/unitPrice/);
  });
});
