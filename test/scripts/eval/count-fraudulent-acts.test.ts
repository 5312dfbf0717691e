import { describe, expect, it } from 'vitest';
import { countFraudulentActs } from '../../../scripts/eval/count-fraudulent-acts.ts';

const from = new Date('2025-01-01T00:00:00Z');
const to = new Date('2026-01-01T00:00:00Z');

describe('countFraudulentActs', () => {
  it('counts returns and claims per customer', () => {
    const counts = countFraudulentActs({
      acts: [
        { customerId: 'c1', at: '2025-03-01T10:00:00Z' },
        { customerId: 'c2', at: '2025-05-01T10:00:00.000Z' },
        { customerId: 'c1', at: '2025-04-01T10:00:00Z' },
      ],
      from,
      to,
    });
    expect([...counts.entries()].sort()).toEqual([
      ['c1', 2],
      ['c2', 1],
    ]);
  });

  it('keeps the window half-open: from counts, to does not', () => {
    const counts = countFraudulentActs({
      acts: [
        { customerId: 'at-from', at: '2025-01-01T00:00:00.000Z' },
        { customerId: 'before', at: '2024-12-31T23:59:59.999Z' },
        { customerId: 'at-to', at: '2026-01-01T00:00:00.000Z' },
        { customerId: 'last', at: '2025-12-31T23:59:59.999Z' },
      ],
      from,
      to,
    });
    expect(counts.get('at-from')).toBe(1);
    expect(counts.get('last')).toBe(1);
    expect(counts.has('before')).toBe(false);
    expect(counts.has('at-to')).toBe(false);
  });

  it('compares instants, not strings, across time-zone offsets', () => {
    // 2026-01-01T00:30+01:00 is 2025-12-31T23:30Z: inside the window although it sorts after `to` as text.
    const counts = countFraudulentActs({ acts: [{ customerId: 'c1', at: '2026-01-01T00:30:00+01:00' }], from, to });
    expect(counts.get('c1')).toBe(1);
  });

  it('returns an empty map without acts', () => {
    expect(countFraudulentActs({ acts: [], from, to }).size).toBe(0);
  });

  it('rejects an inverted window and unparseable times', () => {
    expect(() => countFraudulentActs({ acts: [], from: to, to: from })).toThrow(RangeError);
    expect(() => countFraudulentActs({ acts: [], from: new Date('nope'), to })).toThrow(/from must be a date/);
    expect(() => countFraudulentActs({ acts: [{ customerId: 'c1', at: 'yesterday' }], from, to })).toThrow(/act time must be an ISO date/);
  });
});
