import { describe, expect, it } from 'vitest';
import { evaluateFaultChange } from '../../../models/quality/evaluate-fault-change.ts';
import { wilsonInterval } from '../../../models/stats/wilson-interval.ts';
import { expectRelativelyClose } from '../stats/expect-relatively-close.ts';

describe('evaluateFaultChange', () => {
  it('tests a rise with the one-sided Fisher exact test and reports ratio, excess units and the Wilson interval', () => {
    const result = evaluateFaultChange({ current: { faults: 14, delivered: 100 }, baseline: { faults: 50, delivered: 1000 }, minUnits: 100 });
    expect(result.tested).toBe(true);
    // scipy 1.17.1: fisher_exact([[14, 86], [50, 950]], alternative='greater').pvalue
    expectRelativelyClose(result.pValue, 0.0010876704383386644, 1e-9);
    expect(result.ratio).toBeCloseTo(2.8, 12);
    expect(result.excessUnits).toBeCloseTo(9, 12);
    expect(result.currentLow).toBe(wilsonInterval(14, 100).lower);
  });

  it('does not test below the minimum units on either side', () => {
    expect(evaluateFaultChange({ current: { faults: 30, delivered: 99 }, baseline: { faults: 5, delivered: 1000 }, minUnits: 100 })).toMatchObject({ tested: false, pValue: 1 });
    expect(evaluateFaultChange({ current: { faults: 30, delivered: 100 }, baseline: { faults: 5, delivered: 99 }, minUnits: 100 })).toMatchObject({ tested: false, pValue: 1 });
  });

  it('gives an infinite ratio when the baseline had no faults', () => {
    expect(evaluateFaultChange({ current: { faults: 3, delivered: 100 }, baseline: { faults: 0, delivered: 800 }, minUnits: 100 }).ratio).toBe(Number.POSITIVE_INFINITY);
    expect(() => evaluateFaultChange({ current: { faults: 0, delivered: 1 }, baseline: { faults: 0, delivered: 1 }, minUnits: 0 })).toThrow(/minUnits must be/);
  });
});
