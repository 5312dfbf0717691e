import { describe, expect, it } from 'vitest';
import { assertBinaryClassificationInput } from '../../../models/metrics/assert-binary-classification-input.ts';

describe('assertBinaryClassificationInput', () => {
  const rules = { metric: 'rocAuc', requiredClasses: 'both' } as const;

  it('counts the classes of a valid input, typed arrays included', () => {
    expect(assertBinaryClassificationInput(new Float32Array([0.2, 0.9, 0.4]), new Uint8Array([0, 1, 0]), rules)).toEqual({
      positives: 1,
      negatives: 2,
    });
  });

  it('names the metric, the rule and the value in its errors', () => {
    expect(() => assertBinaryClassificationInput([0.1, 0.2], [0], rules)).toThrow(
      'rocAuc: scores and labels must have the same length, got 2 and 1',
    );
    expect(() => assertBinaryClassificationInput([], [], rules)).toThrow('rocAuc: needs at least one row, got 0');
    expect(() => assertBinaryClassificationInput([0.1, 0.2], [0, 2], rules)).toThrow('rocAuc: labels must be 0 or 1, got labels[1] = 2');
    expect(() => assertBinaryClassificationInput([0.1, Number.NaN], [0, 1], rules)).toThrow(
      'rocAuc: scores must be finite numbers, got scores[1] = NaN',
    );
    expect(() => assertBinaryClassificationInput([0.1, 0.2], [0, 0], rules)).toThrow(
      'rocAuc: needs at least one positive label (1), got none in 2 rows',
    );
    expect(() => assertBinaryClassificationInput([0.1, 0.2], [1, 1], rules)).toThrow(
      'rocAuc: needs at least one negative label (0), got none in 2 rows',
    );
    expect(() => assertBinaryClassificationInput([0.1, 1.2], [1, 0], { metric: 'logLoss', probabilities: true })).toThrow(
      'logLoss: probabilities must be in [0, 1], got probabilities[1] = 1.2',
    );
  });

  it('accepts a single class when the metric does not need both', () => {
    expect(assertBinaryClassificationInput([0.1, 0.2], [1, 1], { metric: 'averagePrecision', requiredClasses: 'positive' })).toEqual({
      positives: 2,
      negatives: 0,
    });
    expect(assertBinaryClassificationInput([0.1], [0], { metric: 'brierScore', probabilities: true }).negatives).toBe(1);
  });
});
