import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../models/random/seeded-random.ts';
import { createOpaqueIdFactory } from '../../simulator/opaque-id-factory.ts';

describe('createOpaqueIdFactory', () => {
  it('makes prefixed base32 ids that do not repeat and hex strings of the asked length', () => {
    const ids = createOpaqueIdFactory(createSeededRandom(5));
    const seen = new Set<string>();
    for (let index = 0; index < 20_000; index++) {
      const id = ids.id('ord');
      expect(id).toMatch(/^ord_[0-9a-hjkmnp-tv-z]{18}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(20_000);
    expect(ids.id('evt', 24)).toMatch(/^evt_[0-9a-z]{24}$/);
    expect(ids.hex(64)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic for a seed', () => {
    const a = createOpaqueIdFactory(createSeededRandom(9));
    const b = createOpaqueIdFactory(createSeededRandom(9));
    expect([a.id('x'), a.hex(32)]).toEqual([b.id('x'), b.hex(32)]);
  });

  it('rejects a length that is not a positive integer', () => {
    expect(() => createOpaqueIdFactory(createSeededRandom(1)).id('x', 0)).toThrow(/positive integer/);
  });
});
