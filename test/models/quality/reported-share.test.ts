import { describe, expect, it } from 'vitest';
import { reportedShare } from '../../../models/quality/reported-share.ts';

// References: scripts/reference/quality_scan_reference.py, numpy 2.4.6:
// cum = concatenate([[0], cumsum(counts)]) / counts.sum(); numpy.interp(offset, arange(len(cum)), cum)
const COUNTS = [0, 3, 5, 8, 4, 0, 2];
const CASES: ReadonlyArray<[offsetHours: number, share: number]> = [
  [0, 0],
  [1.5, 0.06818181818181818],
  [3.25, 0.4545454545454546],
  [6.9, 0.990909090909091],
  [7, 1],
  [30, 1],
];

describe('reportedShare', () => {
  it.each(CASES)('matches numpy interpolation of the cumulative share at %f hours', (offsetHours, share) => {
    expect(reportedShare({ hourCounts: COUNTS, offsetHours })).toBeCloseTo(share, 14);
  });

  it('rejects an empty histogram, negative counts and negative offsets', () => {
    expect(() => reportedShare({ hourCounts: [0, 0], offsetHours: 1 })).toThrow(/at least one unit/);
    expect(() => reportedShare({ hourCounts: [1, -1], offsetHours: 1 })).toThrow(/hourCounts\[1\] must be a finite number >= 0/);
    expect(() => reportedShare({ hourCounts: [1], offsetHours: -2 })).toThrow(/offsetHours must be a finite number >= 0/);
  });
});
