import { describe, expect, it } from 'vitest';
import { calibrationBins } from '../../../models/metrics/calibration-bins.ts';
import { expectArrayClose } from './expect-array-close.ts';
import { lcgDataset } from './lcg-dataset.ts';
import { smallLabels, smallScores } from './small-dataset.ts';

// References: python3 scripts/reference/metrics_reference.py (scikit-learn 1.9.1
// calibration_curve(y, s, n_bins, strategy) -> prob_true, prob_pred; counts recomputed with its own binning).
describe('calibrationBins', () => {
  it('matches calibration_curve(y, s, n_bins=4) on the small dataset, edges included', () => {
    const bins = calibrationBins(smallScores, smallLabels, { binCount: 4 });
    // prob_true [0.0, 0.5, 0.3333333333333333, 0.6666666666666666], prob_pred [0.15000000000000002, 0.4, 0.6999999999999998, 0.8333333333333334],
    // counts [2, 4, 3, 3]. 0.5 sits on an inner edge and goes to the lower bin, as numpy.searchsorted(side='left') does.
    expectArrayClose(bins.map((bin) => bin.observedRate), [0.0, 0.5, 0.3333333333333333, 0.6666666666666666]);
    expectArrayClose(bins.map((bin) => bin.meanPredicted), [0.15000000000000002, 0.4, 0.6999999999999998, 0.8333333333333334]);
    expect(bins.map((bin) => bin.count)).toEqual([2, 4, 3, 3]);
    expect(bins.map((bin) => [bin.lower, bin.upper])).toEqual([[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]);
  });

  it('matches calibration_curve(y, s, n_bins=10, strategy="uniform") on the LCG dataset', () => {
    const { scores, labels } = lcgDataset(20_000, 12345);
    const bins = calibrationBins(scores, labels);
    expect(bins.map((bin) => bin.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(bins.map((bin) => bin.count)).toEqual([1864, 1825, 1915, 1900, 1946, 2131, 2001, 2122, 2147, 2149]);
    expectArrayClose(bins.map((bin) => bin.observedRate), [0.00536480686695279, 0.02958904109589041, 0.04804177545691906, 0.08263157894736842, 0.08890030832476875, 0.10980760206475833, 0.1424287856071964, 0.15551366635249764, 0.15789473684210525, 0.16286644951140064]);
    expectArrayClose(bins.map((bin) => bin.meanPredicted), [0.05011319742489279, 0.15115780821917815, 0.25160208877284596, 0.3514936842105261, 0.4503818088386443, 0.5504946034725468, 0.6510749625187399, 0.7496069745523087, 0.8500023288309286, 0.949728711028387]);
  });

  it('matches calibration_curve(y, s, n_bins=5, strategy="quantile") on the LCG dataset', () => {
    const { scores, labels } = lcgDataset(20_000, 12345);
    const bins = calibrationBins(scores, labels, { binCount: 5, strategy: 'quantile' });
    expect(bins.map((bin) => bin.count)).toEqual([4014, 3993, 4009, 4006, 3978]);
    expectArrayClose(bins.map((bin) => bin.observedRate), [0.01968111609367215, 0.06962183821687953, 0.1050137191319531, 0.14827758362456314, 0.16390145801910508]);
    expectArrayClose(bins.map((bin) => bin.meanPredicted), [0.10899252615844533, 0.32289130979213754, 0.5258555749563479, 0.7198597104343473, 0.9072780291603825]);
  });

  it('leaves empty bins out', () => {
    const bins = calibrationBins([0.05, 0.95], [0, 1], { binCount: 10 });
    expect(bins.map((bin) => bin.index)).toEqual([0, 9]);
  });

  it('rejects bad options', () => {
    expect(() => calibrationBins([0.1], [0], { binCount: 0 })).toThrow('calibrationBins: binCount must be an integer >= 1, got 0');
    expect(() => calibrationBins([0.1], [0], { binCount: 2.5 })).toThrow(RangeError);
  });
});
