import { describe, expect, it } from 'vitest';
import { decideManualPromotion } from '../../../models/risk/decide-manual-promotion.ts';

const candidate = { version: 'b', metrics: { prAuc: 0.62, rocAuc: 0.91 }, servingComparison: { version: 'a', prAuc: 0.6, rocAuc: 0.9 }, force: false };

describe('decideManualPromotion', () => {
  it('promotes a model not worse than the one in service on the rows it was compared on', () => {
    expect(decideManualPromotion(candidate, 'a')).toEqual({
      outcome: 'promote',
      forced: false,
      decision: { promote: true, reason: 'not worse than the serving model (PR-AUC 0.6200 vs 0.6000, ROC-AUC 0.9100 vs 0.9000)' },
    });
  });

  it('says when the model is already in service, and promotes anything finite when none is', () => {
    expect(decideManualPromotion(candidate, 'b')).toEqual({ outcome: 'already_serving' });
    expect(decideManualPromotion(candidate, undefined)).toMatchObject({ outcome: 'promote', decision: { reason: 'no model in service' } });
  });

  it('refuses a worse model, or one compared with another model than the one in service, unless forced', () => {
    const worse = { ...candidate, metrics: { prAuc: 0.55, rocAuc: 0.95 } };
    expect(decideManualPromotion(worse, 'a')).toEqual({ outcome: 'refused', reason: "PR-AUC 0.5500 is below the serving model's 0.6000 on the same validation rows" });
    expect(decideManualPromotion(candidate, 'c')).toEqual({ outcome: 'refused', reason: 'b was not validated against the serving model c on the same rows; train a new model to compare' });
    expect(decideManualPromotion({ ...worse, force: true }, 'a')).toEqual({
      outcome: 'promote',
      forced: true,
      decision: { promote: true, reason: "forced by an operator: PR-AUC 0.5500 is below the serving model's 0.6000 on the same validation rows" },
    });
  });

  it('refuses, unless forced, a model trained or validated on fewer positives than the policy asks, even with none in service', () => {
    // Registered before training refused such models (or under lower settings): one positive, promoted as the first model.
    const thin = { ...candidate, labels: { training: { rows: 515, positives: 1 }, validation: { rows: 5214, positives: 26 } } };
    const reason =
      'b was trained and validated on too few labels: 1 positive in training, needs ≥ 40 (RETOUR_TRAIN_MIN_TRAINING_POSITIVES); 26 positives in validation, needs ≥ 50 (RETOUR_TRAIN_MIN_VALIDATION_POSITIVES) — training 1/515 rows positive, validation 26/5214';
    expect(decideManualPromotion(thin, undefined)).toEqual({ outcome: 'refused', reason });
    expect(decideManualPromotion(thin, 'a')).toEqual({ outcome: 'refused', reason });
    expect(decideManualPromotion({ ...thin, force: true }, undefined)).toEqual({ outcome: 'promote', forced: true, decision: { promote: true, reason: `forced by an operator: ${reason}` } });
    // Under the settings it was trained with, the usual rule.
    expect(decideManualPromotion(thin, undefined, { minTrainingPositives: 1, minValidationPositives: 1 })).toMatchObject({ outcome: 'promote', decision: { reason: 'no model in service' } });
    const enough = { ...candidate, labels: { training: { rows: 4000, positives: 200 }, validation: { rows: 1000, positives: 50 } } };
    expect(decideManualPromotion(enough, 'a')).toMatchObject({ outcome: 'promote', forced: false });
  });
});
