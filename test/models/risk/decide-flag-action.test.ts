import { describe, expect, it } from 'vitest';
import { decideFlagAction } from '../../../models/risk/decide-flag-action.ts';

describe('decideFlagAction', () => {
  const high = { tier: 'high' as const, score: 0.9, evidenceCount: 3 };
  it('opens a flag for a review or high customer without one', () => {
    expect(decideFlagAction(high, undefined, undefined).action).toBe('open');
    expect(decideFlagAction({ tier: 'review', score: 0.6, evidenceCount: 0 }, undefined, { status: 'expired', score: 0.7, evidenceCount: 0 }).action).toBe('open');
  });
  it('updates an open flag while the customer stays flagged, and expires it once low', () => {
    expect(decideFlagAction(high, { status: 'open', score: 0.6, evidenceCount: 1 }, undefined).action).toBe('update');
    expect(decideFlagAction({ tier: 'low', score: 0.1, evidenceCount: 0 }, { status: 'open', score: 0.6, evidenceCount: 1 }, undefined).action).toBe('expire');
  });
  it('does not reopen a decided flag on the same evidence', () => {
    expect(decideFlagAction(high, undefined, { status: 'dismissed', score: 0.88, evidenceCount: 3 }).action).toBe('none');
    expect(decideFlagAction(high, undefined, { status: 'confirmed', score: 0.85, evidenceCount: 3 }).action).toBe('none');
  });
  it('reopens a decided flag on new evidence or a material score rise', () => {
    expect(decideFlagAction({ ...high, evidenceCount: 4 }, undefined, { status: 'dismissed', score: 0.88, evidenceCount: 3 }).why).toMatch(/new evidence/);
    expect(decideFlagAction({ ...high, score: 0.96 }, undefined, { status: 'dismissed', score: 0.8, evidenceCount: 3 }).why).toMatch(/score rose from 0.80 to 0.96/);
  });
  it('leaves unscored customers and low customers without flags alone', () => {
    expect(decideFlagAction({ tier: 'unscored', score: null, evidenceCount: 9 }, { status: 'open', score: 0.9, evidenceCount: 1 }, undefined).action).toBe('none');
    expect(decideFlagAction({ tier: 'low', score: 0.2, evidenceCount: 0 }, undefined, undefined).action).toBe('none');
  });
});
