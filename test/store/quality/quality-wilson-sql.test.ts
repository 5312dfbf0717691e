import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../models/stats/wilson-interval.ts';
import { openQualityTestDatabase } from '../../jobs/quality/quality-fixtures.ts';

describe('quality_wilson_low / quality_wilson_high (SQL macros of migration 003)', () => {
  it('equal models/stats/wilson-interval.ts (itself checked against statsmodels) on a grid of counts', async () => {
    const { database, connection } = await openQualityTestDatabase();
    try {
      const reader = await connection.runAndReadAll(
        `SELECT x, n, quality_wilson_low(x, n), quality_wilson_high(x, n)
         FROM (SELECT x::BIGINT AS x, n::BIGINT AS n FROM range(0, 60) a(x), (VALUES (1), (7), (59), (100), (1000), (123457), (5000000000)) b(n) WHERE x <= n)`,
      );
      const rows = reader.getRows();
      expect(rows.length).toBeGreaterThan(300);
      for (const [x, n, low, high] of rows) {
        const expected = wilsonInterval(Number(x), Number(n));
        expect(Number(low), `low(${x}, ${n})`).toBeCloseTo(expected.lower, 13);
        expect(Number(high), `high(${x}, ${n})`).toBeCloseTo(expected.upper, 13);
      }
      const empty = await connection.runAndReadAll('SELECT quality_wilson_low(0, 0), quality_wilson_high(0, 0)');
      expect(empty.getRows()[0]).toEqual([null, null]);
    } finally {
      database.close();
    }
  });
});
