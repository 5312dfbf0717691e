import { describe, expect, it } from 'vitest';
import { decideAlertTransition } from '../../../models/quality/decide-alert-transition.ts';

const detected = new Date('2026-04-06T03:00:00Z');
const open = { status: 'new' as const, firstDetectedAt: detected };

describe('decideAlertTransition', () => {
  it('opens an alert only when flagged', () => {
    expect(decideAlertTransition({ open: undefined, tested: true, flagged: true, stillElevated: false, now: detected })).toEqual({ action: 'open' });
    expect(decideAlertTransition({ open: undefined, tested: true, flagged: false, stillElevated: false, now: detected })).toEqual({ action: 'none' });
  });

  it('keeps new on the day of detection and becomes ongoing later while elevated', () => {
    expect(decideAlertTransition({ open, tested: true, flagged: false, stillElevated: true, now: new Date('2026-04-06T20:00:00Z') })).toEqual({ action: 'update', status: 'new' });
    expect(decideAlertTransition({ open, tested: true, flagged: false, stillElevated: true, now: new Date('2026-04-07T01:00:00Z') })).toEqual({ action: 'update', status: 'ongoing' });
  });

  it('resolves when no longer elevated, and keeps the alert when the product could not be evaluated', () => {
    expect(decideAlertTransition({ open, tested: true, flagged: false, stillElevated: false, now: new Date('2026-04-20T00:00:00Z') })).toEqual({ action: 'resolve' });
    expect(decideAlertTransition({ open, tested: false, flagged: false, stillElevated: false, now: new Date('2026-04-20T00:00:00Z') })).toEqual({ action: 'keep' });
    expect(() => decideAlertTransition({ open, tested: true, flagged: false, stillElevated: false, now: new Date('x') })).toThrow(/now must be a valid date/);
  });
});
