/**
 * Disjoint sets over the integers 0…size−1 (path halving, union by size), for grouping customers
 * that share an address, payment fingerprint or device into rings.
 *
 * @example
 * const sets = createUnionFind(4);
 * sets.union(0, 1); sets.union(2, 1);
 * sets.find(2) === sets.find(0); // true; 3 is alone
 */
export interface UnionFind {
  readonly size: number;
  find(element: number): number;
  /** Merges the two sets; returns false when they were already one. */
  union(a: number, b: number): boolean;
  /** Size of the set holding the element. */
  setSize(element: number): number;
}

export function createUnionFind(size: number): UnionFind {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`createUnionFind: size must be a non-negative integer, got ${size}`);
  const parent = new Int32Array(size);
  const sizes = new Int32Array(size).fill(1);
  for (let i = 0; i < size; i++) parent[i] = i;
  const check = (element: number): void => {
    if (!Number.isInteger(element) || element < 0 || element >= size) {
      throw new RangeError(`union-find: element must be an integer in [0, ${size}), got ${element}`);
    }
  };
  const find = (element: number): number => {
    check(element);
    let x = element;
    while (parent[x] !== x) {
      const grandparent = parent[parent[x]!]!;
      parent[x] = grandparent;
      x = grandparent;
    }
    return x;
  };
  return {
    size,
    find,
    union(a, b) {
      let rootA = find(a);
      let rootB = find(b);
      if (rootA === rootB) return false;
      if (sizes[rootA]! < sizes[rootB]!) [rootA, rootB] = [rootB, rootA];
      parent[rootB] = rootA;
      sizes[rootA] = sizes[rootA]! + sizes[rootB]!;
      return true;
    },
    setSize(element) {
      return sizes[find(element)]!;
    },
  };
}
