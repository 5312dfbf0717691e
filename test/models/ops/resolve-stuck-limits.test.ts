import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/load-config.ts';
import { DEFAULT_STUCK_DAYS, resolveStuckLimits } from '../../../models/ops/resolve-stuck-limits.ts';

describe('resolveStuckLimits', () => {
  it('turns days into hours and keeps the default of stages not named', () => {
    expect(resolveStuckLimits({ awaiting_refund: 10 })).toEqual({ awaiting_receipt: 504, awaiting_inspection: 120, awaiting_refund: 240, awaiting_close: 168 });
  });

  it('agrees with the RETOUR_OPS_STUCK_DAYS default, so an unset variable and an empty map mean the same', () => {
    expect(loadConfig({}).opsStuckDays).toEqual(DEFAULT_STUCK_DAYS);
    expect(resolveStuckLimits({})).toEqual(resolveStuckLimits(loadConfig({}).opsStuckDays));
  });

  it('refuses an unknown stage (a typo would silently disable a limit) and non-positive days', () => {
    expect(() => resolveStuckLimits({ awaiting_reciept: 3 })).toThrow(/stuck limit stage must be one of awaiting_receipt, .*got "awaiting_reciept"/);
    expect(() => resolveStuckLimits({ awaiting_close: 0 })).toThrow(RangeError);
  });
});
