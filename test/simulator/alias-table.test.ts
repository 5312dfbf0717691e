import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../models/random/seeded-random.ts';
import { createAliasTable } from '../../simulator/alias-table.ts';

describe('createAliasTable', () => {
  it('draws each index in proportion to its weight', () => {
    const weights = [1, 0, 3, 6, 0.5];
    const table = createAliasTable(weights);
    const random = createSeededRandom(11);
    const counts = new Array<number>(weights.length).fill(0);
    const draws = 200_000;
    for (let index = 0; index < draws; index++) counts[table.sample(random)]!++;
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    weights.forEach((weight, index) => {
      const p = weight / total;
      // Within 4 binomial standard deviations (and exactly 0 for weight 0).
      expect(Math.abs(counts[index]! - draws * p)).toBeLessThanOrEqual(4 * Math.sqrt(draws * p * (1 - p)));
    });
    expect(counts[1]).toBe(0);
  });

  it('rejects empty, negative and all-zero weights', () => {
    expect(() => createAliasTable([])).toThrow(/at least one weight/);
    expect(() => createAliasTable([1, -1])).toThrow(/finite and >= 0/);
    expect(() => createAliasTable([0, 0])).toThrow(/must not all be 0/);
  });
});
