import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../models/stats/wilson-interval.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/stats_reference.py
// (statsmodels 0.15.0 statsmodels.stats.proportion.proportion_confint(k, n, alpha, method='wilson')).
describe('wilsonInterval', () => {
  const cases: Array<[successes: number, trials: number, confidence: number, lower: number, upper: number]> = [
    [3, 10, 0.95, 0.10779126740630104, 0.6032218525388546], // proportion_confint(3, 10, alpha=0.05, method='wilson')
    [17, 1234, 0.95, 0.008618874278191531, 0.021951647133125654], // proportion_confint(17, 1234, alpha=0.05, method='wilson')
    [5, 40, 0.9, 0.062191358698111265, 0.23532372778598237], // proportion_confint(5, 40, alpha=0.1, method='wilson')
    [250, 100000, 0.99, 0.0021249179736532718, 0.0029410948676431253], // proportion_confint(250, 100000, alpha=0.01, method='wilson')
  ];
  it.each(cases)('%d of %d at %d matches statsmodels', (successes, trials, confidence, lower, upper) => {
    const interval = wilsonInterval(successes, trials, { confidence });
    expectRelativelyClose(interval.lower, lower, 1e-14);
    expectRelativelyClose(interval.upper, upper, 1e-14);
  });

  it('defaults to 95% confidence', () => {
    expect(wilsonInterval(3, 10)).toEqual(wilsonInterval(3, 10, { confidence: 0.95 }));
  });

  it('pins the bound at 0 successes to exactly 0 and at all successes to exactly 1', () => {
    const none = wilsonInterval(0, 10);
    expect(none.lower).toBe(0); // proportion_confint(0, 10, alpha=0.05, method='wilson') = [0.0, 0.27753279986288926]
    expectRelativelyClose(none.upper, 0.27753279986288926, 1e-14);
    const all = wilsonInterval(10, 10);
    expectRelativelyClose(all.lower, 0.7224672001371106, 1e-14); // proportion_confint(10, 10, alpha=0.05, method='wilson')
    expect(all.upper).toBe(1);
    const oneTrialNone = wilsonInterval(0, 1);
    expect(oneTrialNone.lower).toBe(0);
    expectRelativelyClose(oneTrialNone.upper, 0.7934506856227627, 1e-14); // proportion_confint(0, 1, alpha=0.05, method='wilson')
    const oneTrialAll = wilsonInterval(1, 1);
    expectRelativelyClose(oneTrialAll.lower, 0.2065493143772374, 1e-14); // proportion_confint(1, 1, alpha=0.05, method='wilson')
    expect(oneTrialAll.upper).toBe(1);
  });

  it('returns [0, 1] when there are no trials', () => {
    // statsmodels divides by zero here (NaN); an empty cohort says nothing, so the interval is everything.
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
  });

  it('narrows as trials grow at a fixed rate', () => {
    const small = wilsonInterval(5, 50);
    const large = wilsonInterval(500, 5000);
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower);
    expect(large.lower).toBeLessThan(0.1);
    expect(large.upper).toBeGreaterThan(0.1);
  });

  it('rejects impossible counts and confidence levels', () => {
    expect(() => wilsonInterval(11, 10)).toThrow(/successes must be a finite number in \[0, trials = 10\], got 11/);
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1, -10)).toThrow(/trials must be a finite number >= 0, got -10/);
    expect(() => wilsonInterval(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 10, { confidence: 1 })).toThrow(/confidence must be in \(0, 1\), got 1/);
    expect(() => wilsonInterval(1, 10, { confidence: 0 })).toThrow(RangeError);
  });
});
