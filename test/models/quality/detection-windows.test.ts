import { describe, expect, it } from 'vitest';
import { detectionWindows, isoWeekMonday } from '../../../models/quality/detection-windows.ts';

describe('detectionWindows', () => {
  it('tests the newest 7 delivery days whose horizon has passed, against the weeks before', () => {
    expect(detectionWindows({ now: new Date('2026-03-20T10:00:00Z'), detectionDays: 7, baselineWeeks: 8 })).toEqual({
      currentStart: '2026-03-06',
      currentEnd: '2026-03-13',
      baselineStart: '2026-01-09',
      baselineEnd: '2026-03-06',
    });
  });

  it('rejects impossible settings', () => {
    expect(() => detectionWindows({ now: new Date(), detectionDays: 0, baselineWeeks: 8 })).toThrow(/detectionDays must be/);
    expect(() => detectionWindows({ now: new Date(), detectionDays: 7, baselineWeeks: 1.5 })).toThrow(/baselineWeeks must be/);
  });
});

describe('isoWeekMonday', () => {
  it('gives the Monday of the ISO week in UTC', () => {
    expect(isoWeekMonday(new Date('2026-03-22T23:00:00Z'))).toBe('2026-03-16');
    expect(isoWeekMonday(new Date('2026-03-23T00:00:00Z'))).toBe('2026-03-23');
    expect(isoWeekMonday(new Date('2021-01-03T12:00:00Z'))).toBe('2020-12-28'); // ISO week 53 of 2020
  });
});
