import { describe, expect, it } from 'vitest';
import { prCurve } from '../../../models/metrics/pr-curve.ts';
import { expectArrayClose, sumOf } from './expect-array-close.ts';
import { lcgDataset } from './lcg-dataset.ts';
import { smallLabels, smallScores } from './small-dataset.ts';

// References: python3 scripts/reference/metrics_reference.py (scikit-learn 1.9.1 precision_recall_curve).
describe('prCurve', () => {
  it('matches precision_recall_curve(y, s) (drop_intermediate=False, its default)', () => {
    const curve = prCurve(smallScores, smallLabels);
    expectArrayClose(curve.precision, [0.4166666666666667, 0.45454545454545453, 0.5, 0.4444444444444444, 0.5714285714285714, 0.5, 0.6666666666666666, 1.0, 1.0]);
    expectArrayClose(curve.recall, [1.0, 1.0, 1.0, 0.8, 0.8, 0.6, 0.4, 0.2, 0.0]);
    expectArrayClose(curve.thresholds, [0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.8, 0.9]);
  });

  it('matches precision_recall_curve(y, s, drop_intermediate=True)', () => {
    const curve = prCurve(smallScores, smallLabels, { dropIntermediate: true });
    expectArrayClose(curve.precision, [0.4166666666666667, 0.5, 0.4444444444444444, 0.5714285714285714, 0.5, 0.6666666666666666, 1.0, 1.0]);
    expectArrayClose(curve.recall, [1.0, 1.0, 0.8, 0.8, 0.6, 0.4, 0.2, 0.0]);
    expectArrayClose(curve.thresholds, [0.1, 0.3, 0.4, 0.5, 0.7, 0.8, 0.9]);
  });

  it('matches scikit-learn on the LCG dataset', () => {
    const { scores, labels } = lcgDataset(20_000, 12345);
    const curve = prCurve(scores, labels);
    // precision_recall_curve(y, s): len 1002, precision[:3] [0.1012, 0.10124049619847938, 0.10131651399108975],
    // recall[:3] [1.0, 1.0, 1.0], thresholds[:3] [0.0, 0.001, 0.002], precision[600] 0.15466603505447654,
    // recall[600] 0.6452569169960475, thresholds[600] 0.6, sum(precision) 143.12630547424828, sum(recall) 667.5405138339921
    expect(curve.precision.length).toBe(1002);
    expect(curve.thresholds.length).toBe(1001);
    expectArrayClose(curve.precision.subarray(0, 3), [0.1012, 0.10124049619847938, 0.10131651399108975]);
    expectArrayClose(curve.recall.subarray(0, 3), [1.0, 1.0, 1.0]);
    expectArrayClose(curve.thresholds.subarray(0, 3), [0.0, 0.001, 0.002]);
    expect(curve.precision[600]).toBeCloseTo(0.15466603505447654, 14);
    expect(curve.recall[600]).toBeCloseTo(0.6452569169960475, 14);
    expect(curve.thresholds[600]).toBe(0.6);
    expect(sumOf(curve.precision)).toBeCloseTo(143.12630547424828, 10);
    expect(sumOf(curve.recall)).toBeCloseTo(667.5405138339921, 10);
  });

  it('needs a positive label', () => {
    expect(() => prCurve([0.1, 0.2], [0, 0])).toThrow(/prCurve: needs at least one positive label/);
  });
});
