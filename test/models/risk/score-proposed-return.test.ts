import { describe, expect, it } from 'vitest';
import type { CustomerRiskSnapshot } from '../../../domain/risk/customer-risk-snapshot.ts';
import { DEFAULT_PROPOSED_RETURN_POLICY, formatMinorUnits, scoreProposedReturn } from '../../../models/risk/score-proposed-return.ts';

const snapshot = (values: Partial<CustomerRiskSnapshot>): CustomerRiskSnapshot => ({
  customerId: 'c1', status: 'scored', score: 0.05, tier: 'low', reasons: [], modelVersion: 'rf-1', computedAt: '2026-01-01T00:00:00.000Z',
  fraudTypeHint: null, notDeclared90d: 0, usedReturns90d: 0, refundsWithoutReceipt365d: 0, defectClaimLines365d: 0, noFaultFoundShare365d: Number.NaN,
  returnedValue90d: 0, accountAgeDays: 400, ringSize: 1, linkedCustomerIds: [], openFlagId: null, ...values,
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
    // ISO 4217 list one: HUF and IDR have 2 minor digits (Intl shows them with 0), CLP 0, BHD and TND 3, CLF 4.
    expect(['HUF', 'IDR', 'CLP', 'BHD', 'TND', 'CLF', 'USD', 'XAU'].map((currency) => formatMinorUnits(123_456, currency))).toEqual([
      '1234.56 HUF', '1234.56 IDR', '123456 CLP', '123.456 BHD', '123.456 TND', '12.3456 CLF', '1234.56 USD', '123456 XAU',
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
