import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { day, OpsScenario } from '../../jobs/ops/ops-scenario.ts';

let s: OpsScenario;
beforeAll(async () => {
  s = await OpsScenario.open();
  await s.ingest(s.order('o1'), s.delivered('o1', 1));
  // Five returns of o1's apparel line received 1, 2, 3, 4 and 10 days (24 … 240 hours) after the request.
  const receiveDays = [1, 2, 3, 4, 10];
  for (const [index, days] of receiveDays.entries()) {
    const id = `r${index}`;
    await s.ingest(s.requested(id, 'o1', 5), s.received(id, 5 + days), s.inspected(id, 5 + days + 1), s.refunded(`f${index}`, id, 'o1', 5 + days + 1.5, 3000), s.closed(id, 5 + days + 2));
  }
  // An open return waiting for its parcel for 30 days, one waiting for inspection for 2 days, and ratings.
  await s.ingest(s.requested('w1', 'o1', 20, { method: 'pickup' }), s.requested('w2', 'o1', 45, { lines: [{ lineId: 'l2', quantity: 1 }] }), s.received('w2', 48, [{ lineId: 'l2', quantity: 1 }]));
  await s.ingest(s.feedback('r0', 9, 5, 'quick'), s.feedback('r4', 20, 2, 'slow parcel'), s.feedback('w1', 45, 1, 'nobody came'));
  await s.run(50);
});
afterAll(() => s.close());

describe('ops stage times', () => {
  it('one row per requested return with the hours between milestones', async () => {
    const [row] = await s.rows(`SELECT * EXCLUDE (computed_at, requested_at, received_at, inspected_at, refunded_at, closed_at) FROM return_stage_times WHERE return_id = 'r1'`);
    expect(row).toEqual({
      return_id: 'r1', order_id: 'o1', customer_id: 'cus_1', category: 'apparel', seller_id: 's1', method: 'mail', resolution: 'refund', close_outcome: 'refunded',
      week: expect.any(Object),
      hours_requested_to_received: 48, hours_received_to_inspected: 24, hours_inspected_to_refunded: 12, hours_refunded_to_closed: 12, hours_received_to_refunded: 36, hours_requested_to_closed: 96,
    });
  });

  it('p50/p90/p99 with linear interpolation, per dimension, overall and per week the stage ended', async () => {
    // numpy 2.4.6: numpy.percentile([24, 48, 72, 96, 240], [50, 90, 99]) = [72, 182.4, 234.24]
    const overall = await s.rows(`SELECT count::INTEGER AS n, p50_hours, p90_hours, p99_hours FROM ops_stage_percentiles WHERE dimension = 'all' AND week IS NULL AND stage = 'requested_to_received'`);
    expect(overall).toHaveLength(1);
    expect(overall[0]!['n']).toBe(6);
    // Six returns received: the five above and w2 (72 hours), so recompute with 72 added.
    // numpy 2.4.6: numpy.percentile([24, 48, 72, 72, 96, 240], [50, 90, 99]) = [72, 168, 232.8]
    expect(overall[0]!['p50_hours']).toBeCloseTo(72, 9);
    expect(overall[0]!['p90_hours']).toBeCloseTo(168, 9);
    expect(overall[0]!['p99_hours']).toBeCloseTo(232.8, 9);
    const apparel = await s.rows(`SELECT p50_hours, p90_hours, p99_hours FROM ops_stage_percentiles WHERE dimension = 'category' AND dimension_value = 'apparel' AND week IS NULL AND stage = 'requested_to_received'`);
    expect(apparel[0]!['p90_hours']).toBeCloseTo(182.4, 9);
    expect(apparel[0]!['p99_hours']).toBeCloseTo(234.24, 9);
    const weeks = await s.rows(`SELECT strftime(week, '%Y-%m-%d') AS week, count::INTEGER AS n FROM ops_stage_percentiles WHERE dimension = 'all' AND week IS NOT NULL AND stage = 'requested_to_received' ORDER BY week`);
    // Received on 03-07, 03-08, 03-09, 03-10 (weeks of 03-02 and 03-09), 03-16 and w2 on 04-18.
    expect(weeks).toEqual([{ week: '2026-03-02', n: 2 }, { week: '2026-03-09', n: 2 }, { week: '2026-03-16', n: 1 }, { week: '2026-04-13', n: 1 }]);
  });

  it('lists returns stuck longer than their stage limit, with their age', async () => {
    expect(await s.rows(`SELECT return_id, stage, age_hours, limit_hours, strftime(since, '%Y-%m-%d') AS since FROM ops_stuck_returns ORDER BY return_id`)).toEqual([
      { return_id: 'w1', stage: 'awaiting_receipt', age_hours: 720, limit_hours: 504, since: day(20).slice(0, 10) },
    ]);
  });

  it('summarises feedback per category and stage, and relates ratings to slow stages', async () => {
    const stage = await s.rows(`SELECT dimension_value, responses::INTEGER AS n, mean_rating, recent_comments FROM ops_feedback_summary WHERE dimension = 'stage' ORDER BY dimension_value`);
    expect(stage).toEqual([
      { dimension_value: 'awaiting_receipt', n: 1, mean_rating: 1, recent_comments: '["nobody came"]' },
      { dimension_value: 'closed', n: 2, mean_rating: 3.5, recent_comments: '["slow parcel","quick"]' },
    ]);
    // r4's receipt (240 h) is above the stage p90 (168 h); r0's (24 h) is not.
    const [slow] = await s.rows(`SELECT with_responses::INTEGER AS w, with_mean_rating, without_responses::INTEGER AS wo, without_mean_rating, rating_difference FROM ops_feedback_links WHERE factor = 'slow_stage' AND factor_value = 'requested_to_received'`);
    expect(slow).toEqual({ w: 1, with_mean_rating: 2, wo: 1, without_mean_rating: 5, rating_difference: -3 });
  });
});
