import { describe, expect, it } from 'vitest';
import { applyPlattCalibration, fitPlattCalibration } from '../../../models/risk/platt-calibration.ts';

describe('fitPlattCalibration', () => {
  it('matches scikit-learn LogisticRegression(C = 1000) on the logit of the clipped scores', () => {
    // scripts/reference/platt_reference.py, scikit-learn 1.9.1:
    // slope 1.0535975763933685, intercept -0.44559873129093835, p(score 0.5) 0.39040771524633217
    const scores = [0.05, 0.1, 0.2, 0.3, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 0.0, 0.4];
    const labels = [0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0];
    const calibration = fitPlattCalibration(scores, labels);
    expect(calibration.slope).toBeCloseTo(1.0535975763933685, 6);
    expect(calibration.intercept).toBeCloseTo(-0.44559873129093835, 6);
    expect(applyPlattCalibration(0.5, calibration)).toBeCloseTo(0.39040771524633217, 6);
  });

  it('stays finite on perfectly separated data (the penalty on the slope)', () => {
    const calibration = fitPlattCalibration([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]);
    expect(Number.isFinite(calibration.slope) && Number.isFinite(calibration.intercept)).toBe(true);
    expect(applyPlattCalibration(0.9, calibration)).toBeGreaterThan(0.99);
  });

  it('refuses one-class labels, bad scores and mismatched lengths', () => {
    expect(() => fitPlattCalibration([0.1, 0.2], [0, 0])).toThrow(/needs both classes/);
    expect(() => fitPlattCalibration([0.1, 1.2], [0, 1])).toThrow(/scores must be in \[0, 1\]/);
    expect(() => fitPlattCalibration([0.1], [0, 1])).toThrow(/same length/);
    expect(() => applyPlattCalibration(Number.NaN, { slope: 1, intercept: 0 })).toThrow(RangeError);
  });
});
