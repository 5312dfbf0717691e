import { describe, expect, it } from 'vitest';
import { ewmaProportionChart } from '../../../models/stats/ewma-proportion-chart.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

function expectSeriesClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expectRelativelyClose(actual[i]!, value, 1e-13));
}

// References: scripts/reference/stats_reference.py, section "EWMA proportion chart": the statistic
// from pandas Series([p0, p1, …]).ewm(alpha=λ, adjust=False).mean(), the limits from the closed-form
// variance p0(1 − p0)·Σ λ²(1 − λ)^(2(t − i))/nᵢ (numpy 2.4.6), independent of the recursion in the code.
describe('ewmaProportionChart', () => {
  it('matches the reference on a constant-size series and signals the shift', () => {
    const chart = ewmaProportionChart([5, 6, 15, 18], [100, 100, 100, 100], { baselineRate: 0.05 });
    // ewma_reference([5, 6, 15, 18], [100, 100, 100, 100], p0=0.05, lambda=0.2, L=3.0)
    expectSeriesClose(chart.statistic, [0.05, 0.052000000000000005, 0.0716, 0.09328]);
    expectSeriesClose(chart.upperLimit, [0.06307669683062203, 0.06674634288434345, 0.06872115381059618, 0.06988235961851612]);
    expectSeriesClose(chart.lowerLimit, [0.03692330316937798, 0.03325365711565657, 0.03127884618940382, 0.03011764038148389]);
    expect(chart.firstSignal).toBe(2); // 0.0716 > 0.06872… is the first crossing
  });

  it('matches the reference with varying sizes and carries over a period without trials', () => {
    const chart = ewmaProportionChart([3, 0, 4, 9, 2, 14, 12], [80, 0, 120, 95, 40, 150, 110], {
      baselineRate: 0.04,
      smoothing: 0.3,
      limitWidth: 2.7,
    });
    // ewma_reference([3, 0, 4, 9, 2, 14, 12], [80, 0, 120, 95, 40, 150, 110], p0=0.04, lambda=0.3, L=2.7),
    // which lists periods with trials only; period 1 (0 trials) repeats period 0 here.
    const z = [0.03924999999999999, 0.037474999999999994, 0.05465355263157894, 0.05325748684210526, 0.06528024078947368, 0.0784234412799043];
    const upper = [0.057746210863167384, 0.059085772711629986, 0.06106402665958695, 0.06910782845501767, 0.06414791464929634, 0.06268850410649188];
    const lower = [0.022253789136832618, 0.020914227288370012, 0.018935973340413057, 0.010892171544982322, 0.015852085350703655, 0.01731149589350812];
    const withCarry = (values: number[]): number[] => [values[0]!, values[0]!, ...values.slice(1)];
    expectSeriesClose(chart.statistic, withCarry(z));
    expectSeriesClose(chart.upperLimit, withCarry(upper));
    expectSeriesClose(chart.lowerLimit, withCarry(lower));
    // The small week (n = 40) widens the limits; the signal comes at period 5 (0.0653 > 0.0641).
    expect(chart.firstSignal).toBe(5);
  });

  it('has no limits before the first observed period and no signal on an in-control series', () => {
    const chart = ewmaProportionChart([0, 5, 5], [0, 100, 100], { baselineRate: 0.05 });
    expect(Number.isNaN(chart.upperLimit[0])).toBe(true);
    expect(chart.statistic[0]).toBe(0.05);
    expect(chart.firstSignal).toBe(-1);
  });

  it('rejects impossible counts and options', () => {
    expect(() => ewmaProportionChart([1], [1, 2], { baselineRate: 0.1 })).toThrow(/same length/);
    expect(() => ewmaProportionChart([3], [2], { baselineRate: 0.1 })).toThrow('successes[0] must be in [0, trials[0] = 2], got 3');
    expect(() => ewmaProportionChart([1], [-2], { baselineRate: 0.1 })).toThrow(/trials\[0\] must be a finite number >= 0/);
    expect(() => ewmaProportionChart([1], [2], { baselineRate: 0 })).toThrow('baselineRate must be in (0, 1), got 0');
    expect(() => ewmaProportionChart([1], [2], { baselineRate: 0.1, smoothing: 0 })).toThrow(/smoothing must be in \(0, 1\]/);
    expect(() => ewmaProportionChart([1], [2], { baselineRate: 0.1, limitWidth: -1 })).toThrow(/limitWidth/);
  });
});
