import type { SeededRandom } from '../models/random/seeded-random.ts';

export interface AliasTable {
  /** Index i drawn with probability weights[i] / sum(weights), in O(1). */
  sample(random: SeededRandom): number;
  readonly size: number;
}

/**
 * Walker's alias method (Vose's construction) for repeated weighted draws from a fixed distribution.
 * @example
 * const table = createAliasTable([1, 3]);
 * table.sample(createSeededRandom(1)); // 1 three times as often as 0
 */
export function createAliasTable(weights: readonly number[]): AliasTable {
  const size = weights.length;
  if (size === 0) throw new RangeError('alias table needs at least one weight, got an empty list');
  let total = 0;
  for (const weight of weights) {
    if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`alias weights must be finite and >= 0, got ${weight}`);
    total += weight;
  }
  if (!(total > 0)) throw new RangeError('alias weights must not all be 0');
  const probability = new Float64Array(size);
  const alias = new Int32Array(size);
  const scaled = weights.map((weight) => (weight * size) / total);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((value, index) => (value < 1 ? small : large).push(index));
  while (small.length > 0 && large.length > 0) {
    const less = small.pop()!;
    const more = large.pop()!;
    probability[less] = scaled[less]!;
    alias[less] = more;
    scaled[more] = scaled[more]! + scaled[less]! - 1;
    (scaled[more]! < 1 ? small : large).push(more);
  }
  // Leftovers are 1 up to rounding error.
  for (const index of [...small, ...large]) probability[index] = 1;
  return {
    size,
    sample(random) {
      const index = Math.floor(random.next() * size);
      return random.next() < probability[index]! ? index : alias[index]!;
    },
  };
}
