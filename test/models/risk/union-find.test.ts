import { describe, expect, it } from 'vitest';
import { createUnionFind } from '../../../models/risk/union-find.ts';

describe('createUnionFind', () => {
  it('groups transitively linked elements and counts set sizes', () => {
    const sets = createUnionFind(6);
    expect(sets.union(0, 1)).toBe(true);
    expect(sets.union(2, 1)).toBe(true);
    expect(sets.union(0, 2)).toBe(false);
    sets.union(4, 5);
    expect(sets.find(2)).toBe(sets.find(0));
    expect(sets.find(3)).toBe(3);
    expect(sets.find(4)).not.toBe(sets.find(0));
    expect([0, 1, 2, 3, 4, 5].map((e) => sets.setSize(e))).toEqual([3, 3, 3, 1, 2, 2]);
  });
  it('handles a long chain without deep recursion', () => {
    const sets = createUnionFind(200_000);
    for (let i = 1; i < 200_000; i++) sets.union(i - 1, i);
    expect(sets.setSize(123_456)).toBe(200_000);
  });
  it('refuses elements outside the range', () => {
    expect(() => createUnionFind(3).find(3)).toThrow(/\[0, 3\)/);
    expect(() => createUnionFind(-1)).toThrow(RangeError);
  });
});
