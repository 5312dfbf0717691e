import { describe, expect, it } from 'vitest';
import { evaluateFaultScan, type FaultScanDay } from '../../../models/quality/evaluate-fault-scan.ts';
import { expectRelativelyClose } from '../stats/expect-relatively-close.ts';

// 40 units a day; the older week 1 fault a day (complete), the newest week 3 a day with the shares of
// a young cohort, the newest below minReportedShare (its faults and exposure are left out).
const SHARES = [0.98, 0.95, 0.9, 0.8, 0.65, 0.45, 0.2];
const DAYS: FaultScanDay[] = [
  ...Array.from({ length: 7 }, () => ({ delivered: 40, faults: 1, reportedShare: 1 })),
  ...SHARES.map((reportedShare) => ({ delivered: 40, faults: 3, reportedShare })),
];
const BASELINE = { faults: 45, delivered: 2240 };
// References: scripts/reference/quality_scan_reference.py, statsmodels 0.15.0
// test_poisson_2indep(18, 40 * 4.73, 45, 2240, method='exact-cond', alternative='larger').pvalue
const P7 = 9.327432008329361e-7;
// test_poisson_2indep(25, 280 + 40 * 4.73, 45, 2240, method='exact-cond', alternative='larger').pvalue
const P14 = 0.00017559573746561542;

describe('evaluateFaultScan', () => {
  it('tests every window against the baseline and Bonferroni-adjusts the smallest p-value', () => {
    const scan = evaluateFaultScan({ days: DAYS, baseline: BASELINE, windowDays: [7, 14], minUnits: 100, minReportedShare: 0.25 });
    expect(scan.windows.map((window) => [window.days, window.delivered, window.faults])).toEqual([
      [7, 280, 18],
      [14, 560, 25],
    ]);
    expect(scan.windows[0]!.exposure).toBeCloseTo(189.2, 10);
    expectRelativelyClose(scan.windows[0]!.pValue, P7, 1e-9);
    expectRelativelyClose(scan.windows[1]!.pValue, P14, 1e-9);
    expect(scan.best.days).toBe(7);
    expectRelativelyClose(scan.pValue, 2 * P7, 1e-9);
    expect(scan.baselineRate).toBeCloseTo(45 / 2240, 14);
    expect(scan.currentRate).toBeCloseTo(18 / 189.2, 14);
    expect(scan.ratio).toBeCloseTo(18 / 189.2 / (45 / 2240), 12);
    expect(scan.excessUnits).toBeCloseTo(18 - (45 / 2240) * 189.2, 10);
    expect(scan.currentLow).toBeLessThan(scan.currentRate);
    expect(scan.currentHigh).toBeGreaterThan(scan.currentRate);
  });

  it('applies the minimum-units rule per window, so a slow seller is tested on the long window only', () => {
    const scan = evaluateFaultScan({ days: DAYS, baseline: BASELINE, windowDays: [7, 14], minUnits: 300, minReportedShare: 0.25 });
    expect(scan.windows.map((window) => window.tested)).toEqual([false, true]);
    expect(scan.best.days).toBe(14);
    expectRelativelyClose(scan.pValue, P14, 1e-9); // one window tested: no adjustment
    const untested = evaluateFaultScan({ days: DAYS, baseline: { faults: 1, delivered: 90 }, windowDays: [7, 14], minUnits: 100, minReportedShare: 0.25 });
    expect(untested).toMatchObject({ tested: false, pValue: 1 });
  });

  it('does not count a rise that has not had time to show: young cohorts weigh by their share', () => {
    const complete = DAYS.map((day) => ({ ...day, reportedShare: 1 }));
    const asIfComplete = evaluateFaultScan({ days: complete, baseline: BASELINE, windowDays: [7], minUnits: 100, minReportedShare: 0.25 });
    const young = evaluateFaultScan({ days: DAYS, baseline: BASELINE, windowDays: [7], minUnits: 100, minReportedShare: 0.25 });
    // the same faults over more exposure: a lower rate and a larger p-value
    expect(asIfComplete.currentRate).toBeLessThan(young.currentRate);
    expect(asIfComplete.best.faults).toBe(21);
  });

  it('rejects windows longer than the days given and out-of-range settings', () => {
    expect(() => evaluateFaultScan({ days: DAYS, baseline: BASELINE, windowDays: [15], minUnits: 100, minReportedShare: 0.25 })).toThrow(/windowDays must be integers in \[1, days.length = 14\]/);
    expect(() => evaluateFaultScan({ days: DAYS, baseline: BASELINE, windowDays: [], minUnits: 100, minReportedShare: 0.25 })).toThrow(/at least one window/);
    expect(() => evaluateFaultScan({ days: DAYS, baseline: BASELINE, windowDays: [7], minUnits: 0, minReportedShare: 0.25 })).toThrow(/minUnits must be/);
    expect(() => evaluateFaultScan({ days: DAYS, baseline: BASELINE, windowDays: [7], minUnits: 100, minReportedShare: 0 })).toThrow(/minReportedShare must be in \(0, 1\]/);
  });
});
