import { describe, expect, it } from 'vitest';
import { evaluateReasonMixShift } from '../../../models/quality/evaluate-reason-mix-shift.ts';
import { expectRelativelyClose } from '../stats/expect-relatively-close.ts';

describe('evaluateReasonMixShift', () => {
  it('matches scipy on a 2 × 2 mix and measures the total-variation distance', () => {
    const result = evaluateReasonMixShift({
      reasons: [
        { reason: 'fit.too_small', current: 40, baseline: 100 },
        { reason: 'quality.defective', current: 60, baseline: 100 },
      ],
      minReturns: 50,
    });
    // scipy 1.17.1: chi2_contingency([[40, 60], [100, 100]], correction=False).pvalue
    expectRelativelyClose(result.pValue, 0.10170693003109312, 1e-9);
    expect(result.distance).toBeCloseTo(0.1, 12);
    expect(result.shares[0]).toMatchObject({ reason: 'quality.defective', units: 60, share: 0.6, baselineShare: 0.5 });
  });

  it('pools reasons expected fewer than 5 times in the current window before testing', () => {
    const result = evaluateReasonMixShift({
      reasons: [
        { reason: 'a', current: 30, baseline: 200 },
        { reason: 'b', current: 50, baseline: 150 },
        { reason: 'c', current: 2, baseline: 1 },
        { reason: 'd', current: 3, baseline: 2 },
      ],
      minReturns: 50,
    });
    // c and d pooled: scipy 1.17.1 chi2_contingency([[30, 50, 5], [200, 150, 3]], correction=False).pvalue
    expectRelativelyClose(result.pValue, 5.9661771808980215e-5, 1e-9);
    expect(result.degreesOfFreedom).toBe(2);
  });

  it('does not test below the minimum returns on either side', () => {
    const result = evaluateReasonMixShift({ reasons: [{ reason: 'a', current: 10, baseline: 100 }, { reason: 'b', current: 30, baseline: 10 }], minReturns: 50 });
    expect(result).toMatchObject({ tested: false, pValue: 1 });
    expect(() => evaluateReasonMixShift({ reasons: [], minReturns: 0 })).toThrow(/minReturns must be/);
    expect(() => evaluateReasonMixShift({ reasons: [{ reason: 'a', current: -1, baseline: 1 }], minReturns: 1 })).toThrow(/reason a must have finite counts/);
  });
});
