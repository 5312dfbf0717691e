import { describe, expect, it } from 'vitest';
import { logLoss } from '../../../models/metrics/log-loss.ts';
import { lcgDataset } from './lcg-dataset.ts';
import { smallLabels, smallScores } from './small-dataset.ts';

// References: python3 scripts/reference/metrics_reference.py (scikit-learn 1.9.1 log_loss, which
// clips p and 1 - p to [eps, 1 - eps] with eps = numpy.finfo(float64).eps).
describe('logLoss', () => {
  it('matches scikit-learn', () => {
    expect(logLoss(smallScores, smallLabels)).toBeCloseTo(0.6624864859488866, 15); // log_loss(y, s)
    const { scores, labels } = lcgDataset(20_000, 12345);
    // The LCG scores include exact 0s and 1s on both classes, so this also covers clipping at scale.
    expect(logLoss(scores, labels)).toBeCloseTo(0.9537143786689194, 13); // log_loss(y, s) on the LCG dataset
  });

  it('clips probabilities of 0 and 1 instead of returning Infinity', () => {
    // log_loss([0, 1, 1, 0, 1], [0.0, 1.0, 0.0, 1.0, 0.5]) = 14.556090791758852
    expect(logLoss([0, 1, 0, 1, 0.5], [0, 1, 1, 0, 1])).toBeCloseTo(14.556090791758852, 13);
    // log_loss([0, 1], [0.0, 1.0]) = 2.220446049250313e-16 (clipped, so not exactly 0)
    expect(logLoss([0, 1], [0, 1])).toBeCloseTo(2.220446049250313e-16, 30);
  });

  it('rejects values that are not probabilities', () => {
    expect(() => logLoss([-0.1], [0])).toThrow('logLoss: probabilities must be in [0, 1], got probabilities[0] = -0.1');
    expect(() => logLoss([0.1, 0.2], [0])).toThrow(/same length/);
  });
});
