import { describe, expect, it } from 'vitest';
import { blackFriday, dailyDemandMultiplier } from '../../simulator/daily-demand-multiplier.ts';

describe('blackFriday', () => {
  it('is the day after the fourth Thursday of November', () => {
    // Calendar: Thanksgiving 2024-11-28, 2025-11-27, 2026-11-26.
    expect(new Date(blackFriday(2024)).toISOString()).toBe('2024-11-29T00:00:00.000Z');
    expect(new Date(blackFriday(2025)).toISOString()).toBe('2025-11-28T00:00:00.000Z');
    expect(new Date(blackFriday(2026)).toISOString()).toBe('2026-11-27T00:00:00.000Z');
  });
});

describe('dailyDemandMultiplier', () => {
  it('peaks on Black Friday, is higher in December than June, and higher on Sunday than Friday', () => {
    const day = (iso: string) => dailyDemandMultiplier(Date.parse(`${iso}T00:00:00Z`));
    expect(day('2025-11-28')).toBeGreaterThan(2 * day('2025-11-14'));
    expect(day('2025-12-07')).toBeGreaterThan(day('2025-06-08')); // both Sundays
    expect(day('2025-06-08')).toBeGreaterThan(day('2025-06-13')); // Sunday vs Friday
  });

  it('rejects a non-finite time', () => {
    expect(() => dailyDemandMultiplier(Number.NaN)).toThrow(/finite time/);
  });
});
