import { describe, expect, it } from 'vitest';
import { faultScanDays } from '../../../models/quality/fault-scan-days.ts';

describe('faultScanDays', () => {
  it('cuts the windows from the newest whole delivery days and lags the baseline behind them', () => {
    const days = faultScanDays({ now: new Date('2026-03-20T10:00:00Z'), windowDays: [7], baselineLagDays: 14, baselineWeeks: 8, detectionDays: 7 });
    expect(days).toMatchObject({ scanStart: '2026-03-13', scanEnd: '2026-03-20', baselineStart: '2026-01-09', baselineEnd: '2026-03-06' });
    expect(days.dayStarts.map((day) => day.toISOString())).toEqual([13, 14, 15, 16, 17, 18, 19].map((day) => `2026-03-${day}T00:00:00.000Z`));
  });

  it('scans as many days as the longest window', () => {
    const days = faultScanDays({ now: new Date('2026-03-20T00:00:00Z'), windowDays: [7, 28], baselineLagDays: 28, baselineWeeks: 4, detectionDays: 7 });
    expect(days).toMatchObject({ scanStart: '2026-02-20', scanEnd: '2026-03-20', baselineStart: '2026-01-23', baselineEnd: '2026-02-20' });
    expect(days.dayStarts).toHaveLength(28);
  });

  it('refuses a lag that would put incomplete or windowed cohorts in the baseline', () => {
    const base = { now: new Date('2026-03-20T10:00:00Z'), windowDays: [7], baselineWeeks: 8, detectionDays: 7 };
    expect(() => faultScanDays({ ...base, baselineLagDays: 7 })).toThrow(/baselineLagDays must be an integer >= the longest window \(7\) and >= detectionDays \+ 1 \(8\), got 7/);
    expect(() => faultScanDays({ ...base, windowDays: [14], baselineLagDays: 10 })).toThrow(/baselineLagDays must be/);
    expect(() => faultScanDays({ ...base, windowDays: [], baselineLagDays: 14 })).toThrow(/windowDays must be one or more integers/);
  });
});
