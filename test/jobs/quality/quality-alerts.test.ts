import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { benjaminiHochberg } from '../../../models/stats/benjamini-hochberg.ts';
import { poissonRateRatioGreater } from '../../../models/stats/poisson-rate-ratio-greater.ts';
import type { Database } from '../../../store/open-database.ts';
import { episodeDay, insertEpisodeProducts, openQualityTestDatabase, readRows, runQuality } from './quality-fixtures.ts';

let database: Database;
let connection: DuckDBConnection;
beforeEach(async () => {
  ({ database, connection } = await openQualityTestDatabase());
});
afterEach(() => database.close());

const dayOf = episodeDay;
const buildProducts = (): Promise<void> => insertEpisodeProducts(connection);

const ALERTS = `SELECT product_id, metric, status, period_start, window_start, window_end, q_value, p_value, baseline_rate, current_rate,
  delivered_units, baseline_units, top_reasons, top_comment_words, first_detected_at::VARCHAR AS first, resolved_at::VARCHAR AS resolved
  FROM quality_alerts WHERE metric = 'product_fault_rate' ORDER BY alert_id`;

describe('quality job: alerts', () => {
  it('flags the episode only, from cohorts younger than the detection horizon, with its evidence and BH q-values across every tested product', async () => {
    await buildProducts();
    // Run at midnight of day 78: the window is the deliveries of days 71–77, all in the episode. Every
    // return comes exactly 2 days after delivery (10:00), so a cohort has all its returns from 58 h after
    // its midnight on: days 71–75 count fully (72 h and more), days 76–77 have none yet and drop out.
    // None of them is 8 days old, so the old weekly test (complete cohorts only) could not see them yet.
    const result = await runQuality(connection, { now: dayOf(78) });
    expect(result.details).toMatchObject({
      faultScan: { scanStart: '2026-03-17', scanEnd: '2026-03-24', baselineStart: '2026-01-13', baselineEnd: '2026-03-10' },
      testedProducts: { productFaultRate: 29 },
    });
    const alerts = await readRows(connection, ALERTS);
    expect(alerts.map((alert) => `${alert['product_id']} ${alert['metric']}`)).toEqual(['P00 product_fault_rate']);
    const alert = alerts[0]!;
    expect(alert).toMatchObject({ status: 'new', period_start: '2026-03-23', window_start: '2026-03-17', window_end: '2026-03-24', delivered_units: '280', baseline_units: '2240' });
    expect(JSON.parse(String(alert['top_comment_words']))).toEqual([
      { word: 'handle', count: expect.any(Number) },
      { word: 'snapped', count: expect.any(Number) },
    ]);
    expect(JSON.parse(String(alert['top_reasons']))[0]).toMatchObject({ reason: 'quality.defective' });

    // Recompute every tested product's p-value from the cohort counts (exposure = units of the days
    // 71–75, whose returns are all in) and apply BH here.
    const counts = await readRows(
      connection,
      `SELECT product_id,
         sum(delivered_units) FILTER (WHERE day >= '2026-03-17') AS n1,
         sum(delivered_units) FILTER (WHERE day >= '2026-03-17' AND day < '2026-03-22') AS e1,
         sum(product_fault_within_detection_units) FILTER (WHERE day >= '2026-03-17') AS x1,
         sum(delivered_units) FILTER (WHERE day < '2026-03-10') AS n2,
         sum(product_fault_within_detection_units) FILTER (WHERE day < '2026-03-10') AS x2
       FROM quality_cohort_base WHERE (day >= '2026-01-13' AND day < '2026-03-10') OR (day >= '2026-03-17' AND day < '2026-03-24')
       GROUP BY product_id HAVING n1 >= 100 AND n2 >= 100 ORDER BY product_id`,
    );
    expect(counts).toHaveLength(29); // P29 fails the minimum-units rule (70 units a week)
    const pValues = counts.map((row) =>
      poissonRateRatioGreater({ current: { events: Number(row['x1']), exposure: Number(row['e1']) }, baseline: { events: Number(row['x2']), exposure: Number(row['n2']) } }),
    );
    const qValues = benjaminiHochberg(pValues);
    expect(alert['p_value']).toBeCloseTo(pValues[0]!, 14);
    expect(alert['q_value']).toBeCloseTo(qValues[0]!, 14);
    expect(alert['current_rate']).toBeCloseTo(Number(counts[0]!['x1']) / Number(counts[0]!['e1']), 14);
    // P01's mild rise is significant on its own but not once 29 products are tested at FDR 0.01
    expect(pValues[1]!).toBeLessThan(0.01);
    expect(qValues[1]!).toBeGreaterThan(0.01);
  });

  it('a shop with few products (under 200 fault returns in the baseline) still gets its fault-rate scan, on all categories\' arrival profile', async () => {
    await buildProducts();
    // Two products left: P00 (the episode) and P02.
    for (const table of ['return_lines', 'deliveries']) {
      await connection.run(`DELETE FROM ${table} WHERE order_id IN (SELECT order_id FROM order_lines WHERE product_id NOT IN ('P00', 'P02'))`);
    }
    await connection.run(`DELETE FROM order_lines WHERE product_id NOT IN ('P00', 'P02')`);
    const result = await runQuality(connection, { now: dayOf(78) });
    const details = result.details as { faultScan: { youngCohorts: { baselineFaultReturns: number; allCategoriesProfile: boolean } }; testedProducts: { productFaultRate: number } };
    expect(details.faultScan.youngCohorts.baselineFaultReturns).toBeGreaterThanOrEqual(50);
    expect(details.faultScan.youngCohorts.baselineFaultReturns).toBeLessThan(200);
    expect(details.faultScan.youngCohorts.allCategoriesProfile).toBe(true);
    expect(details.testedProducts.productFaultRate).toBe(2);
    expect((await readRows(connection, ALERTS)).map((alert) => alert['product_id'])).toEqual(['P00']);
  });

  it('applies the minimum-units rule to the window and the baseline', async () => {
    await buildProducts();
    await runQuality(connection, { now: dayOf(78), config: { RETOUR_QUALITY_MIN_UNITS: '60' } });
    const products = (await readRows(connection, ALERTS)).map((alert) => alert['product_id']);
    expect(products).toContain('P29');
    expect(products).toContain('P00');
  });

  it('moves an alert new → ongoing → resolved, and re-running on the same day changes nothing', async () => {
    await buildProducts();
    await runQuality(connection, { now: dayOf(78) });
    await runQuality(connection, { now: new Date(Date.parse(dayOf(78)) + 6 * 3_600_000).toISOString() });
    expect((await readRows(connection, ALERTS)).map((alert) => alert['status'])).toEqual(['new']);
    await runQuality(connection, { now: dayOf(79) });
    expect((await readRows(connection, ALERTS)).map((alert) => alert['status'])).toEqual(['ongoing']);
    // by day 92 the window's counted days are 85–89: back to normal against the baseline frozen at detection
    await runQuality(connection, { now: dayOf(92) });
    const alerts = await readRows(connection, ALERTS);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'resolved', window_start: '2026-03-31', resolved: expect.stringMatching(/^2026-04-07/) });
  });

  it('an open alert\'s severity is measured against the frozen baseline it shows, not the trailing one', async () => {
    await buildProducts();
    for (const day of [78, 79, 82, 85]) {
      await runQuality(connection, { now: dayOf(day) });
      const [alert] = await readRows(connection, `SELECT severity, current_units::DOUBLE AS faults, current_rate, baseline_rate FROM quality_alerts WHERE metric = 'product_fault_rate'`);
      // current_rate = faults / exposure, so the excess over the shown baseline is faults − baseline × exposure.
      const exposure = Number(alert!['faults']) / Number(alert!['current_rate']);
      const excess = Math.max(0, Number(alert!['faults']) - Number(alert!['baseline_rate']) * exposure);
      expect(Number(alert!['severity']), `day ${day}`).toBeCloseTo(excess, 4);
    }
  });

  it('a run as of an earlier time takes the alerts back to what it knew, so replaying history twice gives the same alerts once', async () => {
    await buildProducts();
    const replay = async (): Promise<void> => {
      for (const day of [78, 79, 85, 92]) await runQuality(connection, { now: dayOf(day) });
    };
    await replay();
    const first = (await readRows(connection, ALERTS)).map(({ product_id, status, first, resolved }) => ({ product_id, status, first, resolved }));
    expect(first).toEqual([{ product_id: 'P00', status: 'resolved', first: expect.stringMatching(/^2026-03-24/), resolved: expect.stringMatching(/^2026-04-07/) }]);

    // Back to day 79: the alert detected on day 78 is open again, not resolved on a day still to come.
    await runQuality(connection, { now: dayOf(79) });
    expect((await readRows(connection, ALERTS)).map(({ status, resolved }) => ({ status, resolved }))).toEqual([{ status: 'ongoing', resolved: null }]);
    // Back before the detection: it is gone, and the replay finds it again — once.
    await runQuality(connection, { now: dayOf(70) });
    expect(await readRows(connection, ALERTS)).toEqual([]);
    await replay();
    expect((await readRows(connection, ALERTS)).map(({ product_id, status, first, resolved }) => ({ product_id, status, first, resolved }))).toEqual(first);
  });

  it('publishes an alert once when it opens and once when it resolves, and retries after a failed send', async () => {
    await buildProducts();
    const sent: { topic: string; key: string | undefined; value: Record<string, unknown> }[] = [];
    let kafkaDown = false;
    const publish = async (topic: string, messages: { key?: string; value: string }[]): Promise<void> => {
      if (kafkaDown) throw new Error('broker unavailable');
      for (const message of messages) sent.push({ topic, key: message.key, value: JSON.parse(message.value) as Record<string, unknown> });
    };
    // Detected on day 78 with Kafka down: stored, not sent.
    kafkaDown = true;
    const first = await runQuality(connection, { now: dayOf(78), publish });
    expect(first.details?.['alerts']).toMatchObject({ opened: 1, published: { opened: 0, resolved: 0 } });
    expect(sent).toEqual([]);
    // The next run sends the opening once, as GET /v1/alerts shows the alert.
    kafkaDown = false;
    await runQuality(connection, { now: dayOf(79), publish });
    expect(sent.map((message) => [message.topic, message.key, message.value['type'], message.value['status']])).toEqual([['retour.quality-alerts', 'P00', 'quality.alert.opened', 'ongoing']]);
    expect(sent[0]?.value).toMatchObject({ productId: 'P00', metric: 'product_fault_rate', resolvedAt: null, topReasons: expect.any(Array) as unknown });
    await runQuality(connection, { now: dayOf(80), publish });
    expect(sent).toHaveLength(1);
    // Resolved by day 92: one resolution message, with its time.
    await runQuality(connection, { now: dayOf(92), config: { RETOUR_TOPIC_QUALITY_ALERTS: 'quality.notices' }, publish });
    // (The reason mix of P00's returns shifted by then too: that alert opens in the same run.)
    const resolution = sent.slice(1).filter((message) => message.value['metric'] === 'product_fault_rate');
    expect(resolution.map((message) => [message.topic, message.key, message.value['type'], message.value['status']])).toEqual([['quality.notices', 'P00', 'quality.alert.resolved', 'resolved']]);
    expect(resolution[0]?.value['resolvedAt']).toMatch(/^2026-04-07/);
    const alertsNow = await readRows(connection, 'SELECT count(*)::INTEGER AS alerts FROM quality_alerts');
    // One opening per alert and one resolution in all: every change sent exactly once.
    expect(sent).toHaveLength((alertsNow[0]?.['alerts'] as number) + 1);
    const countBefore = sent.length;
    await runQuality(connection, { now: dayOf(93), publish });
    expect(sent.slice(countBefore).filter((message) => message.value['alertId'] !== undefined && sent.slice(0, countBefore).some((earlier) => earlier.value['alertId'] === message.value['alertId'] && earlier.value['type'] === message.value['type']))).toEqual([]);
  });

  it('sends nothing and marks nothing without Kafka', async () => {
    await buildProducts();
    await runQuality(connection, { now: dayOf(78) });
    const [row] = await readRows(connection, 'SELECT count(*)::INTEGER = 0 AS unsent FROM quality_alert_publications');
    expect(row).toEqual({ unsent: true });
  });

  it('a fault episode in the trailing mix baseline neither keeps nor opens a reason-mix alert once the episode is over (the mix going back to normal)', async () => {
    // 10 products × 200 units a day; P00's defect rate rises from 1 in 33 to 1 in 4 on days 35–48.
    await connection.run(`
      CREATE TEMP TABLE busy AS
      SELECT p, d, i, 'Q' || p AS product_id, 'q' || p || '_' || d || '_' || i AS order_id,
             CASE WHEN p = 0 AND d BETWEEN 35 AND 48 THEN i % 4 = 0 ELSE (i + 7 * d + p) % 33 = 0 END AS defective,
             (i + d + p) % 10 = 5 AS too_small
      FROM range(10) a(p), range(100) b(d), range(200) c(i)`);
    const start = { start: `${episodeDay(0).slice(0, 10)}T10:00:00Z` };
    await connection.run(`INSERT INTO order_lines SELECT order_id, 'l1', 'c1', product_id, 's1', 'home', 1, 1000, 'EUR', NULL, NULL,
        $start::TIMESTAMPTZ + to_days(d::INTEGER) - INTERVAL 2 DAY, 'e' FROM busy`, start);
    await connection.run(`INSERT INTO deliveries SELECT order_id, 'c1', NULL, $start::TIMESTAMPTZ + to_days(d::INTEGER), 'e' FROM busy`, start);
    await connection.run(`INSERT INTO return_lines SELECT 'r' || order_id, order_id, 'c1', 'l1', product_id, 1,
        CASE WHEN defective AND NOT too_small THEN 'quality.defective' ELSE 'fit.too_small' END, NULL,
        $start::TIMESTAMPTZ + to_days(d::INTEGER + 2), 'e' FROM busy WHERE defective OR too_small`, start);
    for (let day = 36; day <= 99; day++) await runQuality(connection, { now: dayOf(day) });
    const alerts = await readRows(connection, `SELECT product_id, metric, status FROM quality_alerts ORDER BY alert_id`);
    // The episode is found on the fault rate and on the mix, and both resolve once it is over: the
    // trailing mix baseline, which still holds the episode, no longer keeps the mix alert open
    // (before, it did, until the episode left the baseline — and then opened new ones).
    expect(alerts).toEqual([
      { product_id: 'Q0', metric: 'product_fault_rate', status: 'resolved' },
      { product_id: 'Q0', metric: 'reason_mix', status: 'resolved' },
    ]);
  }, 120_000);
});
