import { describe, expect, it } from 'vitest';
import { fisherExactGreater } from '../../../models/stats/fisher-exact-greater.ts';
import { poissonRateRatioGreater } from '../../../models/stats/poisson-rate-ratio-greater.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/quality_scan_reference.py, statsmodels 0.15.0
// statsmodels.stats.rates.test_poisson_2indep(x1, e1, x2, e2, method='exact-cond', alternative='larger').pvalue
const CASES: ReadonlyArray<[x1: number, e1: number, x2: number, e2: number, expected: number]> = [
  [12, 200, 30, 1500, 0.002583105403148639],
  [5, 80.5, 40, 2400, 0.014962737907372018],
  [40, 310.25, 60, 4800, 7.583706134548151e-23],
  [3, 25.7, 2, 900, 0.00020517521349669706],
  [20, 1000, 200, 8000, 0.8567397605240166],
];

describe('poissonRateRatioGreater', () => {
  it.each(CASES)('matches statsmodels for x1=%i e1=%f x2=%i e2=%f', (x1, e1, x2, e2, expected) => {
    expectRelativelyClose(poissonRateRatioGreater({ current: { events: x1, exposure: e1 }, baseline: { events: x2, exposure: e2 } }), expected, 1e-9);
  });

  it('is 1 without current events (statsmodels: test_poisson_2indep(0, 10, 5, 100, ...) = 1.0)', () => {
    expect(poissonRateRatioGreater({ current: { events: 0, exposure: 10 }, baseline: { events: 5, exposure: 100 } })).toBe(1);
  });

  it('is close to Fisher’s test on whole units when events are rare', () => {
    const poisson = poissonRateRatioGreater({ current: { events: 12, exposure: 600 }, baseline: { events: 40, exposure: 4800 } });
    const fisher = fisherExactGreater({ current: { successes: 12, trials: 600 }, baseline: { successes: 40, trials: 4800 } });
    expect(Math.abs(Math.log(poisson / fisher))).toBeLessThan(0.1);
  });

  it('rejects negative or fractional events and non-positive exposures', () => {
    expect(() => poissonRateRatioGreater({ current: { events: 1.5, exposure: 10 }, baseline: { events: 1, exposure: 10 } })).toThrow(/current.events must be an integer >= 0/);
    expect(() => poissonRateRatioGreater({ current: { events: 1, exposure: 10 }, baseline: { events: 1, exposure: 0 } })).toThrow(/baseline.exposure must be a finite number > 0/);
  });
});
