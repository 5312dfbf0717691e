import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../models/random/seeded-random.ts';
import type { Database } from '../../../store/open-database.ts';
import { QualityFacts, openQualityTestDatabase, readRows, runQuality } from './quality-fixtures.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-01-05T00:00:00Z'); // a Monday
const iso = (ms: number): string => new Date(ms).toISOString();

interface PlannedFact {
  batch: number;
  insert: (facts: QualityFacts, ingestedAt: string) => Promise<void>;
}

/**
 * A random but seeded history: orders over 12 weeks, whole-order and line deliveries, a late-arriving
 * earlier delivery that moves a line to another day, returns at 0–40 days, repeated inspections, and
 * facts ingested several batches after they happened (out of order) or before they are due.
 */
function planHistory(seed: number): PlannedFact[] {
  const random = createSeededRandom(seed);
  const plan: PlannedFact[] = [];
  const batchOf = (ms: number): number => Math.max(0, Math.floor((ms - START) / (7 * DAY))) + (random.next() < 0.2 ? 1 + random.nextInt(3) : 0);
  const reasons = ['quality.defective', 'fit.too_small', 'preference.changed_mind', 'description.not_as_described', 'logistics.arrived_damaged'];
  for (let order = 0; order < 150; order++) {
    const orderId = `o${order}`;
    const placed = START + random.nextInt(10 * 7) * DAY + random.nextInt(DAY);
    const lines = Array.from({ length: 1 + random.nextInt(3) }, (_, index) => ({
      lineId: `l${index}`,
      productId: `P${random.nextInt(6)}`,
      category: random.next() < 0.5 ? 'electronics' : 'apparel',
      sellerId: random.next() < 0.1 ? null : `S${random.nextInt(3)}`,
      quantity: 1 + random.nextInt(2),
    }));
    plan.push({ batch: batchOf(placed), insert: (facts, ingestedAt) => facts.order({ orderId, lines, placedAt: iso(placed), ingestedAt }) });
    const delivered = placed + (1 + random.nextInt(4)) * DAY;
    const wholeOrder = random.next() < 0.6;
    plan.push({
      batch: batchOf(delivered),
      insert: (facts, ingestedAt) =>
        wholeOrder
          ? facts.delivery({ orderId, deliveredAt: iso(delivered), ingestedAt })
          : facts.delivery({ orderId, lineIds: lines.map((line) => line.lineId), deliveredAt: iso(delivered), ingestedAt }),
    });
    if (random.next() < 0.1) {
      const earlier = delivered - DAY;
      const late = batchOf(delivered) + 1 + random.nextInt(2);
      plan.push({ batch: late, insert: (facts, ingestedAt) => facts.delivery({ orderId, lineIds: [lines[0]!.lineId], deliveredAt: iso(earlier), ingestedAt }) });
    }
    for (const line of lines) {
      if (random.next() >= 0.35) continue;
      const returnId = `r${order}${line.lineId}`;
      const requested = delivered + random.nextInt(40 * DAY);
      const reason = reasons[random.nextInt(reasons.length)]!;
      const quantity = 1 + random.nextInt(line.quantity);
      const requestBatch = random.next() < 0.1 ? Math.max(0, batchOf(requested) - 1) : batchOf(requested);
      plan.push({
        batch: requestBatch,
        insert: (facts, ingestedAt) =>
          facts.returnLine({ returnId, orderId, lineId: line.lineId, productId: line.productId, reason, quantity, requestedAt: iso(requested), ingestedAt, comment: 'stopped working' }),
      });
      if (random.next() < 0.6) {
        const inspected = requested + (3 + random.nextInt(5)) * DAY;
        const fault = random.next() < 0.5 ? 'manufacturing' : 'none_found';
        plan.push({ batch: batchOf(inspected), insert: (facts, ingestedAt) => facts.inspection({ returnId, lineId: line.lineId, fault, inspectedAt: iso(inspected), ingestedAt }) });
      }
    }
  }
  return plan;
}

const TABLES = [
  'SELECT * FROM quality_cohort_base ORDER BY ALL',
  'SELECT * EXCLUDE (computed_at) FROM quality_weekly ORDER BY scope, scope_id, period_start',
  'SELECT * EXCLUDE (computed_at) FROM quality_daily ORDER BY scope, scope_id, period_start',
  'SELECT * EXCLUDE (alert_id) FROM quality_alerts ORDER BY product_id, metric, first_detected_at',
];

const databases: Database[] = [];
afterEach(() => {
  for (const database of databases.splice(0)) database.close();
});

async function open(): Promise<{ connection: DuckDBConnection; facts: QualityFacts }> {
  const { database, connection } = await openQualityTestDatabase();
  databases.push(database);
  return { connection, facts: new QualityFacts(connection) };
}

describe('quality job: incremental runs', () => {
  it('give exactly the tables of a full rebuild after every batch, with out-of-order facts', async () => {
    const plan = planHistory(20260105);
    const incremental = await open();
    const full = await open();
    const config = { RETOUR_QUALITY_MIN_UNITS: '5', RETOUR_QUALITY_FDR: '0.5', RETOUR_QUALITY_MIN_RATIO: '1', RETOUR_RETURN_WINDOW_BY_CATEGORY: 'apparel=21' };
    let incrementalRuns = 0;
    for (let batch = 0; batch <= 12; batch++) {
      const now = START + (batch + 1) * 7 * DAY + 3 * 3_600_000;
      const ingestedAt = iso(now - 3_600_000);
      for (const fact of plan.filter((item) => item.batch === batch)) {
        await fact.insert(incremental.facts, ingestedAt);
        await fact.insert(full.facts, ingestedAt);
      }
      const result = await runQuality(incremental.connection, { now: iso(now), config });
      if (result.details?.['mode'] === 'incremental') incrementalRuns++;
      await runQuality(full.connection, { now: iso(now), config, fullRebuild: true });
      for (const sql of TABLES) {
        expect(await readRows(incremental.connection, sql), `${sql} after batch ${batch}`).toEqual(await readRows(full.connection, sql));
      }
    }
    expect(incrementalRuns).toBe(12);
    const weekly = await readRows(full.connection, "SELECT count(*) AS rows FROM quality_weekly WHERE scope = 'product'");
    expect(Number(weekly[0]!['rows'])).toBeGreaterThan(30);
  }, 120_000);

  it('recomputes nothing when nothing new arrived, and is idempotent', async () => {
    const { connection, facts } = await open();
    for (const fact of planHistory(7).filter((item) => item.batch <= 5)) await fact.insert(facts, '2026-02-01T00:00:00Z');
    await runQuality(connection, { now: '2026-03-01T00:00:00Z' });
    const before = await Promise.all(TABLES.map((sql) => readRows(connection, sql)));
    const again = await runQuality(connection, { now: '2026-03-01T00:00:00Z' });
    expect(again.details).toMatchObject({ mode: 'incremental' });
    // the watermark overlap re-examines recent events; nothing outside them is recomputed
    const after = await Promise.all(TABLES.map((sql) => readRows(connection, sql)));
    expect(after).toEqual(before);
  });
});
