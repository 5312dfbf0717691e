import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../models/stats/wilson-interval.ts';
import type { Database } from '../../../store/open-database.ts';
import { QualityFacts, openQualityTestDatabase, readRows, runQuality } from './quality-fixtures.ts';

let database: Database;
let connection: DuckDBConnection;
beforeEach(async () => {
  ({ database, connection } = await openQualityTestDatabase());
});
afterEach(() => database.close());

/**
 * Week of Monday 2026-03-02. P1: o1/l1 (2 units, whole-order delivery 03-03), o2/l1 (line delivery
 * 03-04), o3/l1 (whole-order 03-05, a second line delivery 03-09 that must not move it), o4/l1 never
 * delivered. P2: o1/l2 (1 unit, same whole-order delivery).
 */
async function buildWeek(facts: QualityFacts): Promise<void> {
  await facts.order({ orderId: 'o1', placedAt: '2026-03-01T09:00:00Z', lines: [{ lineId: 'l1', productId: 'P1', quantity: 2 }, { lineId: 'l2', productId: 'P2' }] });
  await facts.order({ orderId: 'o2', placedAt: '2026-03-01T09:00:00Z', lines: [{ lineId: 'l1', productId: 'P1' }] });
  await facts.order({ orderId: 'o3', placedAt: '2026-03-01T09:00:00Z', lines: [{ lineId: 'l1', productId: 'P1' }] });
  await facts.order({ orderId: 'o4', placedAt: '2026-03-01T09:00:00Z', lines: [{ lineId: 'l1', productId: 'P1' }] });
  await facts.delivery({ orderId: 'o1', deliveredAt: '2026-03-03T10:00:00Z' });
  await facts.delivery({ orderId: 'o2', lineIds: ['l1'], deliveredAt: '2026-03-04T10:00:00Z' });
  await facts.delivery({ orderId: 'o3', deliveredAt: '2026-03-05T10:00:00Z' });
  await facts.delivery({ orderId: 'o3', lineIds: ['l1'], deliveredAt: '2026-03-09T10:00:00Z' });
  // 2 days after delivery, a defect confirmed by inspection
  await facts.returnLine({ returnId: 'r1', orderId: 'o1', lineId: 'l1', productId: 'P1', reason: 'quality.defective', requestedAt: '2026-03-05T10:00:00Z', comment: 'Screen broken' });
  await facts.inspection({ returnId: 'r1', lineId: 'l1', fault: 'manufacturing', inspectedAt: '2026-03-10T10:00:00Z' });
  // 22 days after: within the 30-day window, not within N = 14; 2 more units than the line has left
  await facts.returnLine({ returnId: 'r2', orderId: 'o1', lineId: 'l1', productId: 'P1', reason: 'preference.changed_mind', quantity: 2, requestedAt: '2026-03-25T10:00:00Z' });
  // 16 days after; the later inspection (none_found) overrides the first one
  await facts.returnLine({ returnId: 'r3', orderId: 'o2', lineId: 'l1', productId: 'P1', reason: 'description.not_as_described', requestedAt: '2026-03-20T12:00:00Z' });
  await facts.inspection({ returnId: 'r3', lineId: 'l1', fault: 'manufacturing', inspectedAt: '2026-03-25T10:00:00Z' });
  await facts.inspection({ returnId: 'r3', lineId: 'l1', fault: 'none_found', inspectedAt: '2026-03-28T10:00:00Z' });
  // 46 days after: outside the window
  await facts.returnLine({ returnId: 'r4', orderId: 'o3', lineId: 'l1', productId: 'P1', reason: 'quality.defective', requestedAt: '2026-04-20T10:00:00Z' });
}

const WEEKLY = `SELECT * EXCLUDE (computed_at) FROM quality_weekly ORDER BY scope, scope_id, period_start`;

describe('quality job: cohort tables', () => {
  it('counts units by delivery cohort with exact rates and Wilson intervals', async () => {
    await buildWeek(new QualityFacts(connection));
    const result = await runQuality(connection, { now: '2026-05-01T00:00:00Z' });
    expect(result.details).toMatchObject({ mode: 'full', fullReason: 'first run' });
    const rows = await readRows(connection, WEEKLY);
    const p1 = rows.find((row) => row['scope'] === 'product' && row['scope_id'] === 'P1')!;
    expect(p1).toMatchObject({
      period_start: '2026-03-02',
      period_end: '2026-03-09',
      category: 'electronics',
      seller_id: 's1',
      return_window_days: 30,
      within_n_days: 14,
      delivered_units: '4',
      returned_units: '3', // o1/l1 capped at its 2 units, o2/l1 1
      returned_within_n_units: '1',
      product_fault_units: '2',
      product_fault_within_n_units: '1',
      claimed_defect_units: '1',
      confirmed_defect_units: '1',
      mature: true,
      within_n_complete: true,
    });
    expect(p1['return_rate']).toBe(0.75);
    expect(p1['return_rate_low']).toBeCloseTo(wilsonInterval(3, 4).lower, 12);
    expect(p1['return_rate_high']).toBeCloseTo(wilsonInterval(3, 4).upper, 12);
    expect(p1['product_fault_rate']).toBe(0.5);
    expect(p1['confirmed_defect_rate_low']).toBeCloseTo(wilsonInterval(1, 4).lower, 12);
    expect(JSON.parse(String(p1['reason_mix']))).toEqual({ 'description.not_as_described': 1, 'preference.changed_mind': 2, 'quality.defective': 1 });
    const category = rows.find((row) => row['scope'] === 'category')!;
    expect(category).toMatchObject({ scope_id: 'electronics', delivered_units: '5', returned_units: '3', seller_id: null });
    const seller = rows.find((row) => row['scope'] === 'seller')!;
    expect(seller).toMatchObject({ scope_id: 's1', delivered_units: '5', returned_units: '3', category: 'electronics' });
    const daily = await readRows(connection, `SELECT period_start, delivered_units, returned_units FROM quality_daily WHERE scope = 'product' AND scope_id = 'P1' ORDER BY period_start`);
    expect(daily).toEqual([
      { period_start: '2026-03-03', delivered_units: '2', returned_units: '2' },
      { period_start: '2026-03-04', delivered_units: '1', returned_units: '1' },
      { period_start: '2026-03-05', delivered_units: '1', returned_units: '0' },
    ]);
  });

  it('counts only what happened by now, marks immature cohorts, and applies category windows', async () => {
    await buildWeek(new QualityFacts(connection));
    await runQuality(connection, { now: '2026-03-20T10:00:00Z' });
    const early = (await readRows(connection, `${WEEKLY.replace('ORDER BY', "WHERE scope_id = 'P1' ORDER BY")}`))[0]!;
    expect(early).toMatchObject({ returned_units: '1', returned_within_n_units: '1', mature: false, within_n_complete: false });
    await runQuality(connection, { now: '2026-05-01T00:00:00Z', fullRebuild: true, config: { RETOUR_RETURN_WINDOW_BY_CATEGORY: 'electronics=20' } });
    const late = (await readRows(connection, `${WEEKLY.replace('ORDER BY', "WHERE scope_id = 'P1' ORDER BY")}`))[0]!;
    expect(late).toMatchObject({ return_window_days: 20, returned_units: '2', product_fault_units: '2' });
  });

  it('never counts "within N days" past the return window: a category window shorter than N caps it', async () => {
    await buildWeek(new QualityFacts(connection));
    // Window 10 days, N = 20: r3 (16 days after delivery) is outside the window, so not within N either.
    await runQuality(connection, { now: '2026-05-01T00:00:00Z', fullRebuild: true, config: { RETOUR_RETURN_WINDOW_BY_CATEGORY: 'electronics=10', RETOUR_QUALITY_WITHIN_DAYS: '20' } });
    const row = (await readRows(connection, `${WEEKLY.replace('ORDER BY', "WHERE scope_id = 'P1' ORDER BY")}`))[0]!;
    expect(row).toMatchObject({ return_window_days: 10, within_n_days: 20, returned_units: '1', returned_within_n_units: '1', product_fault_units: '1', product_fault_within_n_units: '1' });
  });
});
