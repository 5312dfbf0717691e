import { describe, expect, it } from 'vitest';
import { binomialTailGreater } from '../../../models/stats/binomial-tail-greater.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/quality_scan_reference.py, scipy 1.17.1
// scipy.stats.binomtest(k, n, p, alternative='greater').pvalue
const CASES: ReadonlyArray<[k: number, n: number, p: number, expected: number]> = [
  [12, 40, 0.15, 0.011969217872532124],
  [1, 1, 0.2, 0.2],
  [5, 200, 0.01, 0.05174626363078591],
  [30, 60, 0.2, 2.0612168872109604e-7],
  [300, 1000, 0.2, 3.811044687488596e-14],
  [3, 30, 0.5, 0.9999995660036802],
  [50, 5000, 0.002, 1.5841836684077658e-19],
];

describe('binomialTailGreater', () => {
  it.each(CASES)('matches scipy binomtest for k=%i n=%i p=%f', (k, n, p, expected) => {
    expectRelativelyClose(binomialTailGreater({ successes: k, trials: n, probability: p }), expected, 1e-9);
  });

  it('is 1 at k = 0 (scipy: binomtest(0, 10, 0.3, alternative="greater").pvalue = 1.0) and handles p at the ends', () => {
    expect(binomialTailGreater({ successes: 0, trials: 10, probability: 0.3 })).toBe(1);
    expect(binomialTailGreater({ successes: 2, trials: 10, probability: 0 })).toBe(0);
    expect(binomialTailGreater({ successes: 2, trials: 10, probability: 1 })).toBe(1);
  });

  it('rejects impossible counts and probabilities with a message naming the rule', () => {
    expect(() => binomialTailGreater({ successes: 11, trials: 10, probability: 0.5 })).toThrow(/successes must be an integer in \[0, trials = 10\]/);
    expect(() => binomialTailGreater({ successes: 1, trials: 2.5, probability: 0.5 })).toThrow(/trials must be an integer >= 0/);
    expect(() => binomialTailGreater({ successes: 1, trials: 10, probability: 1.2 })).toThrow(/probability must be in \[0, 1\]/);
  });
});
