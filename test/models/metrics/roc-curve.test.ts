import { describe, expect, it } from 'vitest';
import { rocCurve } from '../../../models/metrics/roc-curve.ts';
import { expectArrayClose, sumOf } from './expect-array-close.ts';
import { lcgDataset } from './lcg-dataset.ts';
import { smallLabels, smallScores } from './small-dataset.ts';

// References: python3 scripts/reference/metrics_reference.py (scikit-learn 1.9.1 roc_curve).
describe('rocCurve', () => {
  it('matches scikit-learn roc_curve(y, s) with its default drop_intermediate=True', () => {
    const curve = rocCurve(smallScores, smallLabels);
    expectArrayClose(curve.falsePositiveRate, [0.0, 0.0, 0.14285714285714285, 0.42857142857142855, 0.42857142857142855, 0.7142857142857143, 0.7142857142857143, 1.0]);
    expectArrayClose(curve.truePositiveRate, [0.0, 0.2, 0.4, 0.6, 0.8, 0.8, 1.0, 1.0]);
    expectArrayClose(curve.thresholds, [Infinity, 0.9, 0.8, 0.7, 0.5, 0.4, 0.3, 0.1]);
  });

  it('matches roc_curve(y, s, drop_intermediate=False)', () => {
    const curve = rocCurve(smallScores, smallLabels, { dropIntermediate: false });
    expectArrayClose(curve.falsePositiveRate, [0.0, 0.0, 0.14285714285714285, 0.42857142857142855, 0.42857142857142855, 0.7142857142857143, 0.7142857142857143, 0.8571428571428571, 1.0]);
    expectArrayClose(curve.truePositiveRate, [0.0, 0.2, 0.4, 0.6, 0.8, 0.8, 1.0, 1.0, 1.0]);
    expectArrayClose(curve.thresholds, [Infinity, 0.9, 0.8, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1]);
  });

  it('matches scikit-learn on the LCG dataset', () => {
    const { scores, labels } = lcgDataset(20_000, 12345);
    const curve = rocCurve(scores, labels);
    // roc_curve(y, s): len 982, fpr[:4] [0.0, 0.00027814864263462394, 0.0014463729417000446, 0.002948375611927014],
    // tpr[:4] [0.0, 0.0004940711462450593, 0.003952569169960474, 0.005928853754940711], thresholds[1:4] [1.0, 0.999, 0.998],
    // fpr[500] 0.5072874944370271, tpr[500] 0.766798418972332, thresholds[500] 0.495,
    // sum(fpr) 487.07432131731196, sum(tpr) 652.24209486166
    expect(curve.thresholds.length).toBe(982);
    expectArrayClose(curve.falsePositiveRate.subarray(0, 4), [0.0, 0.00027814864263462394, 0.0014463729417000446, 0.002948375611927014]);
    expectArrayClose(curve.truePositiveRate.subarray(0, 4), [0.0, 0.0004940711462450593, 0.003952569169960474, 0.005928853754940711]);
    expectArrayClose(curve.thresholds.subarray(1, 4), [1.0, 0.999, 0.998]);
    expect(curve.falsePositiveRate[500]).toBeCloseTo(0.5072874944370271, 14);
    expect(curve.truePositiveRate[500]).toBeCloseTo(0.766798418972332, 14);
    expect(curve.thresholds[500]).toBe(0.495);
    expect(sumOf(curve.falsePositiveRate)).toBeCloseTo(487.07432131731196, 10);
    expect(sumOf(curve.truePositiveRate)).toBeCloseTo(652.24209486166, 10);
    // roc_curve(y, s, drop_intermediate=False): len 1002, sum(fpr) 500.48753894080994, sum(tpr) 667.5405138339921
    const full = rocCurve(scores, labels, { dropIntermediate: false });
    expect(full.thresholds.length).toBe(1002);
    expect(sumOf(full.falsePositiveRate)).toBeCloseTo(500.48753894080994, 10);
    expect(sumOf(full.truePositiveRate)).toBeCloseTo(667.5405138339921, 10);
  });

  it('refuses input without both classes', () => {
    expect(() => rocCurve([0.3, 0.4], [1, 1])).toThrow(/rocCurve: needs at least one negative label/);
  });
});
