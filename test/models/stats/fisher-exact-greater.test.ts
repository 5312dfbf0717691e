import { describe, expect, it } from 'vitest';
import { fisherExactGreater } from '../../../models/stats/fisher-exact-greater.ts';
import { twoProportionZTest } from '../../../models/stats/two-proportion-z-test.ts';
import { expectRelativelyClose } from './expect-relatively-close.ts';

// References: scripts/reference/quality_reference.py, scipy 1.17.1
// scipy.stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]], alternative='greater').pvalue
const CASES: ReadonlyArray<[x1: number, n1: number, x2: number, n2: number, p: number]> = [
  [14, 100, 50, 1000, 0.0010876704383386644],
  [3, 10, 1, 20, 0.09523809523809522],
  [60, 1000, 300, 8000, 0.0007688128618575631],
  [200, 2000, 800, 16000, 2.0418678566790252e-17],
  [30, 150, 100, 5000, 1.0627632326491029e-19],
  [5, 200, 40, 1600, 0.572001914600466],
  [1000, 20000, 4000, 160000, 5.1049778309781185e-77],
  [7, 7, 0, 10, 5.1419169066227886e-5],
  [2, 500, 1, 4000, 0.034242314539670284],
];

describe('fisherExactGreater', () => {
  it.each(CASES)('matches scipy for x1=%i n1=%i x2=%i n2=%i', (x1, n1, x2, n2, expected) => {
    const p = fisherExactGreater({ current: { successes: x1, trials: n1 }, baseline: { successes: x2, trials: n2 } });
    expectRelativelyClose(p, expected, 1e-9);
  });

  it('is 1 when the current group has no successes', () => {
    expect(fisherExactGreater({ current: { successes: 0, trials: 100 }, baseline: { successes: 5, trials: 1000 } })).toBe(1);
  });

  it('is far more cautious than the z test when few events are expected', () => {
    const input = { current: { successes: 14, trials: 100 }, baseline: { successes: 50, trials: 1000 } };
    expect(fisherExactGreater(input)).toBeGreaterThan(5 * twoProportionZTest(input).pValueGreater);
  });

  it('rejects non-integer or impossible counts with a message naming the rule', () => {
    expect(() => fisherExactGreater({ current: { successes: 1.5, trials: 10 }, baseline: { successes: 1, trials: 10 } })).toThrow(/current.successes must be an integer/);
    expect(() => fisherExactGreater({ current: { successes: 1, trials: 10 }, baseline: { successes: 11, trials: 10 } })).toThrow(RangeError);
    expect(() => fisherExactGreater({ current: { successes: 0, trials: 0 }, baseline: { successes: 1, trials: 10 } })).toThrow(/trials must be an integer >= 1/);
  });
});
