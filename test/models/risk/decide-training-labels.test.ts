import { describe, expect, it } from 'vitest';
import { decideTrainingLabels, DEFAULT_TRAINING_LABEL_POLICY } from '../../../models/risk/decide-training-labels.ts';

const POLICY = { minTrainingPositives: 40, minValidationPositives: 50 };

describe('decideTrainingLabels', () => {
  it('lets a split with enough positives and some negatives in both periods train', () => {
    expect(decideTrainingLabels({ training: { rows: 12_781, positives: 113 }, validation: { rows: 36_967, positives: 230 } }, POLICY)).toEqual({ enough: true });
    expect(decideTrainingLabels({ training: { rows: 41, positives: 40 }, validation: { rows: 51, positives: 50 } }, POLICY)).toEqual({ enough: true });
  });

  it('refuses one training positive, the model that used to be promoted with scores ≤ 0.03', () => {
    expect(decideTrainingLabels({ training: { rows: 515, positives: 1 }, validation: { rows: 5214, positives: 60 } }, POLICY)).toEqual({
      enough: false,
      reason: 'not enough labels to train and measure a model: 1 positive in training, needs ≥ 40 (RETOUR_TRAIN_MIN_TRAINING_POSITIVES) — training 1/515 rows positive, validation 60/5214',
      missing: '1 positive in training, needs ≥ 40 (RETOUR_TRAIN_MIN_TRAINING_POSITIVES) — training 1/515 rows positive, validation 60/5214',
    });
  });

  it('says what is missing in validation, and in both periods at once', () => {
    expect(decideTrainingLabels({ training: { rows: 2000, positives: 45 }, validation: { rows: 5000, positives: 3 } }, POLICY)).toMatchObject({
      enough: false,
      reason: 'not enough labels to train and measure a model: 3 positives in validation, needs ≥ 50 (RETOUR_TRAIN_MIN_VALIDATION_POSITIVES) — training 45/2000 rows positive, validation 3/5000',
    });
    const both = decideTrainingLabels({ training: { rows: 100, positives: 0 }, validation: { rows: 90, positives: 49 } }, POLICY);
    expect(both.enough === false && both.reason).toMatch(/: 0 positives in training, needs ≥ 40 \(RETOUR_TRAIN_MIN_TRAINING_POSITIVES\); 49 positives in validation, needs ≥ 50/);
  });

  it('still needs a negative row in each period, whatever the minimums', () => {
    const verdict = decideTrainingLabels({ training: { rows: 3, positives: 3 }, validation: { rows: 5, positives: 4 } }, { minTrainingPositives: 1, minValidationPositives: 1 });
    expect(verdict).toMatchObject({ enough: false, reason: 'not enough labels to train and measure a model: no negative rows in training — training 3/3 rows positive, validation 4/5' });
  });

  it('takes minimums of at least 1, and defaults to 40 and 50', () => {
    expect(DEFAULT_TRAINING_LABEL_POLICY).toEqual(POLICY);
    expect(() => decideTrainingLabels({ training: { rows: 1, positives: 0 }, validation: { rows: 1, positives: 0 } }, { minTrainingPositives: 0, minValidationPositives: 50 })).toThrow(RangeError);
    expect(() => decideTrainingLabels({ training: { rows: 1, positives: 0 }, validation: { rows: 1, positives: 0 } }, { minTrainingPositives: 40, minValidationPositives: 2.5 })).toThrow(RangeError);
  });
});
