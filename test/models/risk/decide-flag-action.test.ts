import { describe, expect, it } from 'vitest';
import { decideFlagAction } from '../../../models/risk/decide-flag-action.ts';

describe('decideFlagAction', () => {
  const v1 = 'rf-v1';
  const high = { tier: 'high' as const, score: 0.9, evidenceCount: 3, modelVersion: v1 };
  it('opens a flag for a review or high customer without one', () => {
    expect(decideFlagAction(high, undefined, undefined).action).toBe('open');
    expect(decideFlagAction({ tier: 'review', score: 0.6, evidenceCount: 0, modelVersion: v1 }, undefined, { status: 'expired', score: 0.7, evidenceCount: 0, modelVersion: v1 }).action).toBe('open');
  });
  it('updates an open flag while the customer stays flagged, and expires it once low', () => {
    expect(decideFlagAction(high, { status: 'open', score: 0.6, evidenceCount: 1, modelVersion: v1 }, undefined).action).toBe('update');
    expect(decideFlagAction({ tier: 'low', score: 0.1, evidenceCount: 0, modelVersion: v1 }, { status: 'open', score: 0.6, evidenceCount: 1, modelVersion: v1 }, undefined).action).toBe('expire');
  });
  it('does not reopen a decided flag on the same evidence', () => {
    expect(decideFlagAction(high, undefined, { status: 'dismissed', score: 0.88, evidenceCount: 3, modelVersion: v1 }).action).toBe('none');
    expect(decideFlagAction(high, undefined, { status: 'confirmed', score: 0.85, evidenceCount: 3, modelVersion: v1 }).action).toBe('none');
  });
  it('reopens a decided flag on new evidence or a material score rise under the same model', () => {
    expect(decideFlagAction({ ...high, evidenceCount: 4 }, undefined, { status: 'dismissed', score: 0.88, evidenceCount: 3, modelVersion: v1 }).why).toMatch(/new evidence/);
    expect(decideFlagAction({ ...high, score: 0.96 }, undefined, { status: 'dismissed', score: 0.8, evidenceCount: 3, modelVersion: v1 })).toEqual({
      action: 'open',
      why: 'score rose from 0.80 to 0.96 under the same model (rf-v1) since the dismissed flag',
    });
    // Rules only (no model in service) then and now is the same scorer.
    expect(decideFlagAction({ ...high, score: 0.96, modelVersion: null }, undefined, { status: 'dismissed', score: 0.8, evidenceCount: 3, modelVersion: null }).action).toBe('open');
  });
  it('does not reopen a decided flag when only the model changed: scores of two models are not compared', () => {
    // Dismissed at 0.55 under rf-v1; rf-v2 scores the same customer, same evidence, 0.72.
    const dismissed = { status: 'dismissed' as const, score: 0.55, evidenceCount: 3, modelVersion: v1 };
    expect(decideFlagAction({ ...high, score: 0.72, modelVersion: 'rf-v2' }, undefined, dismissed)).toEqual({
      action: 'none',
      why: 'already dismissed on the same evidence; the score rose from 0.55 to 0.72 but under another model (rf-v1 → rf-v2), and the scores of two models are not compared',
    });
    // The first model put in service after rules only is a model change too.
    expect(decideFlagAction({ ...high, score: 0.72 }, undefined, { ...dismissed, modelVersion: null }).why).toMatch(/rules only → rf-v1/);
    // New hard evidence still reopens it under the new model.
    expect(decideFlagAction({ ...high, score: 0.72, evidenceCount: 4, modelVersion: 'rf-v2' }, undefined, dismissed).action).toBe('open');
  });
  it('leaves unscored customers and low customers without flags alone', () => {
    expect(decideFlagAction({ tier: 'unscored', score: null, evidenceCount: 9, modelVersion: null }, { status: 'open', score: 0.9, evidenceCount: 1, modelVersion: v1 }, undefined).action).toBe('none');
    expect(decideFlagAction({ tier: 'low', score: 0.2, evidenceCount: 0, modelVersion: v1 }, undefined, undefined).action).toBe('none');
  });
});
