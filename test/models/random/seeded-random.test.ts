import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../models/random/seeded-random.ts';

describe('createSeededRandom', () => {
  it('repeats the same sequence for the same seed and differs for another seed', () => {
    const a = createSeededRandom(7);
    const b = createSeededRandom(7);
    const c = createSeededRandom(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('has a uniform mean and a standard normal spread', () => {
    const random = createSeededRandom(1);
    let sum = 0;
    let sumSquares = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      sum += random.next();
      const z = random.nextNormal();
      sumSquares += z * z;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumSquares / n).toBeCloseTo(1, 1);
  });

  it('rejects a non-finite seed', () => {
    expect(() => createSeededRandom(Number.NaN)).toThrow(/seed must be a finite number/);
  });
});
