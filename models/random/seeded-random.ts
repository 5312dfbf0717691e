/**
 * A small, fast, seeded pseudo-random generator (mulberry32 over a splitmix32-mixed seed).
 * Deterministic for a seed on every platform, so simulations, bootstraps and tests are reproducible.
 *
 * @example
 * const random = createSeededRandom(42);
 * random.next(); // a float in [0, 1)
 */
export interface SeededRandom {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  nextInt(maxExclusive: number): number;
  /** Standard normal deviate (Box–Muller). */
  nextNormal(): number;
  /** A new independent generator derived from this one (for sub-streams that must not shift each other). */
  fork(): SeededRandom;
}

function mixSeed(seed: number): number {
  // splitmix32 finaliser: spreads nearby seeds (1, 2, 3…) far apart.
  let z = (seed + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export function createSeededRandom(seed: number): SeededRandom {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  let state = mixSeed(Math.trunc(seed));
  let spareNormal: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    nextInt(maxExclusive: number): number {
      if (!(maxExclusive >= 1)) throw new RangeError(`maxExclusive must be >= 1, got ${maxExclusive}`);
      return Math.floor(next() * maxExclusive);
    },
    nextNormal(): number {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return value;
      }
      let u = next();
      while (u === 0) u = next();
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spareNormal = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    fork(): SeededRandom {
      return createSeededRandom(Math.floor(next() * 4294967296));
    },
  };
}
