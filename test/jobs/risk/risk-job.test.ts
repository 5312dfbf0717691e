import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/load-config.ts';
import { riskJob } from '../../../jobs/risk/risk-job.ts';
import { openRiskTestDatabase } from '../../store/risk/open-risk-test-database.ts';
import { loadRiskSnapshots } from '../../../store/risk/load-risk-snapshots.ts';
import { scoreProposedReturn } from '../../../models/risk/score-proposed-return.ts';
import { closeFlagWithDecision, listFlags } from '../../../store/risk/risk-flags.ts';
import { insertRiskFacts, type RiskFacts } from '../../store/risk/insert-risk-facts.ts';

const database = await openRiskTestDatabase();
const connection = await database.connect();
const config = loadConfig({});
const published: { topic: string; keys: (string | undefined)[] }[] = [];

function run(now: string) {
  return riskJob.run({
    connection, config, logger: pino({ level: 'silent' }), now: new Date(now), fullRebuild: true, signal: new AbortController().signal,
    publish: async (topic, messages) => {
      published.push({ topic, keys: messages.map((message) => message.key) });
    },
  });
}

/** A customer with one order and returns of its lines inspected in the given conditions. */
function customerWithInspections(customerId: string, conditions: string[], at: string, extra: { deviceId?: string } = {}): RiskFacts {
  const orderId = `o_${customerId}`;
  return {
    orders: [{ orderId, customerId, placedAt: '2026-01-02T00:00:00Z', ...extra }],
    lines: conditions.map((_, index) => ({ orderId, lineId: `l${index}`, customerId, productId: `p${index}`, unitPrice: 10_000, placedAt: '2026-01-02T00:00:00Z' })),
    deliveries: [{ orderId, customerId, deliveredAt: '2026-01-04T00:00:00Z' }],
    returns: [{ returnId: `r_${customerId}`, orderId, customerId, requestedAt: '2026-01-10T00:00:00Z', lines: conditions.map((_, index) => ({ lineId: `l${index}`, productId: `p${index}`, reason: 'fit.too_small' })) }],
    receipts: conditions.map((_, index) => ({ returnId: `r_${customerId}`, lineId: `l${index}`, receivedAt: '2026-01-14T00:00:00Z' })),
    inspections: conditions.map((condition, index) => ({ returnId: `r_${customerId}`, lineId: `l${index}`, inspectedAt: at, condition, fault: 'none_found' })),
  };
}

beforeAll(async () => {
  await insertRiskFacts(connection, customerWithInspections('swapper', ['X_not_declared_item', 'X_not_declared_item'], '2026-01-15T00:00:00Z'));
  await insertRiskFacts(connection, customerWithInspections('honest', ['A_new', 'A_new', 'A_new', 'A_new', 'A_new', 'A_new'], '2026-01-15T00:00:00Z'));
  for (const member of ['ring1', 'ring2', 'ring3']) {
    await insertRiskFacts(connection, customerWithInspections(member, ['X_not_declared_item'], member === 'ring3' ? '2025-06-01T00:00:00Z' : '2025-12-01T00:00:00Z', { deviceId: 'dev-shared' }));
  }
});
afterAll(() => database.close());

describe('riskJob', () => {
  it('scores every customer with activity by the rules before any model exists, with reasons, rings and one open flag per flagged customer', async () => {
    const result = await run('2026-02-01T00:00:00Z');
    expect(result.rowsWritten).toBe(5);
    // Every return has its receipts: missing receipts count, and the run says so for the evidence.
    expect(result.details).toMatchObject({ receiptsReported: true });
    const scores = (await connection.runAndReadAll('SELECT customer_id, score, tier, status, model_version, fraud_type_hint, reasons FROM customer_scores ORDER BY customer_id')).getRowObjectsJS();
    const byId = Object.fromEntries(scores.map((row) => [row['customer_id'], row]));
    expect(byId['honest']).toMatchObject({ score: 0, tier: 'low', status: 'scored', model_version: null, reasons: '[]' });
    expect(byId['swapper']).toMatchObject({ score: 0.9, tier: 'high', fraud_type_hint: 'item_swap' });
    expect(JSON.parse(String(byId['swapper']!['reasons']))).toEqual([{ code: 'NOT_DECLARED_ITEM', text: '2 returns inspected as not the declared item in 90 days', weight: 0.9 }]);
    // ring3's own inspection is older than 90 days, but its ring's evidence shows.
    expect(JSON.parse(String(byId['ring3']!['reasons'])).map((reason: { code: string }) => reason.code)).toEqual(['RING_EVIDENCE']);
    expect(byId['ring1']).toMatchObject({ tier: 'review' });
    const rings = (await connection.runAndReadAll('SELECT ring_id, size, not_declared_365d FROM customer_rings')).getRows();
    expect(rings).toEqual([['ring_ring1', 3, 3]]);
    const flags = await listFlags(connection, { status: 'open' });
    expect(flags.map((flag) => flag.customerId).sort()).toEqual(['ring1', 'ring2', 'ring3', 'swapper']);
    expect(published).toEqual([{ topic: 'retour.flags', keys: flags.map((flag) => flag.customerId) }]);
    const snapshots = await loadRiskSnapshots(connection);
    expect(snapshots.get('ring2')).toMatchObject({ ringSize: 3, linkedCustomerIds: ['ring1', 'ring3'], notDeclared90d: 1, openFlagId: expect.stringMatching(/^flg_/) });
    expect(snapshots.get('honest')).toMatchObject({ tier: 'low', linkedCustomerIds: [], openFlagId: null });
    // The stored snapshot is exactly what the real-time decision takes (checked by tsc, too).
    expect(scoreProposedReturn(snapshots.get('swapper'), { customerId: 'swapper', lines: [{ productId: 'p', quantity: 1, reason: 'other', unitPrice: 100 }] })).toMatchObject({ decision: 'review', status: 'scored' });
  });

  it('keeps one open flag per customer across runs, and does not publish it twice', async () => {
    await run('2026-02-02T00:00:00Z');
    const open = await listFlags(connection, { status: 'open' });
    expect(open).toHaveLength(4);
    expect(published).toHaveLength(1);
  });

  it('does not reopen a dismissed flag on the same evidence, but does when new evidence arrives', async () => {
    const [flag] = await listFlags(connection, { customerId: 'swapper', status: 'open' });
    const closed = await closeFlagWithDecision(connection, { flagId: flag!.flagId, verdict: 'legitimate', decisionId: 'd1', decidedAt: new Date('2026-02-02T12:00:00Z') });
    expect(closed).toMatchObject({ changed: true, flag: { status: 'dismissed', decisionId: 'd1' } });
    expect((await closeFlagWithDecision(connection, { flagId: flag!.flagId, verdict: 'legitimate', decisionId: 'd1', decidedAt: new Date('2026-02-02T12:00:00Z') })).changed).toBe(false);
    await expect(closeFlagWithDecision(connection, { flagId: flag!.flagId, verdict: 'fraud', decisionId: 'd2', decidedAt: new Date() })).rejects.toThrow(/already dismissed/);
    await expect(closeFlagWithDecision(connection, { flagId: 'nope', verdict: 'fraud', decisionId: 'd2', decidedAt: new Date() })).rejects.toThrow(/does not exist/);
    await run('2026-02-03T00:00:00Z');
    expect(await listFlags(connection, { customerId: 'swapper', status: 'open' })).toHaveLength(0);
    await insertRiskFacts(connection, {
      lines: [{ orderId: 'o_swapper', lineId: 'l9', customerId: 'swapper', productId: 'p9', unitPrice: 10_000, placedAt: '2026-01-02T00:00:00Z' }],
      returns: [{ returnId: 'r_swapper2', orderId: 'o_swapper', customerId: 'swapper', requestedAt: '2026-02-02T00:00:00Z', lines: [{ lineId: 'l9', productId: 'p9', reason: 'other' }] }],
      inspections: [{ returnId: 'r_swapper2', lineId: 'l9', inspectedAt: '2026-02-03T06:00:00Z', condition: 'X_not_declared_item' }],
    });
    await run('2026-02-04T00:00:00Z');
    expect(await listFlags(connection, { customerId: 'swapper', status: 'open' })).toHaveLength(1);
  });

  it('closes open flags from review decisions stored by ingest', async () => {
    const [flag] = await listFlags(connection, { customerId: 'ring1', status: 'open' });
    await insertRiskFacts(connection, { decisions: [{ decisionId: 'd9', customerId: 'ring1', flagId: flag!.flagId, decidedAt: '2026-02-04T10:00:00Z', verdict: 'fraud', fraudType: 'ring' }] });
    const result = await run('2026-02-05T00:00:00Z');
    expect(result.details).toMatchObject({ flags: { closedByDecisions: 1 } });
    expect((await listFlags(connection, { customerId: 'ring1' })).map((f) => [f.status, f.decisionId])).toEqual([['confirmed', 'd9']]);
    // The real-time answer reads the review from the snapshots: the verdict, when, and the evidence the flag had then.
    const snapshots = await loadRiskSnapshots(connection);
    const flagEvidence = Number((await connection.runAndReadAll(`SELECT evidence_count FROM risk_flags WHERE flag_id = $flagId`, { flagId: flag!.flagId })).getRows()[0]![0]);
    expect(snapshots.get('ring1')?.lastReview).toEqual({ outcome: 'confirmed', decidedAt: '2026-02-04T10:00:00.000Z', evidenceCount: flagEvidence });
    expect(snapshots.get('ring1')?.evidenceCount).toBe(Number((await connection.runAndReadAll(`SELECT evidence_count FROM customer_scores WHERE customer_id = 'ring1'`)).getRows()[0]![0]));
    expect(snapshots.get('honest')?.lastReview).toBeNull();
  });

  it('re-decides a decided flag by its latest decision: a later one from another publisher flips it, an earlier one arriving late does not, a tie goes to the greater id', async () => {
    const [flag] = await listFlags(connection, { customerId: 'ring1' });
    const flagId = flag!.flagId;
    const decisionOf = async () => (await listFlags(connection, { customerId: 'ring1' })).map((f) => [f.status, f.decisionId, f.closedAt]);
    const closedAt = flag!.closedAt;
    await insertRiskFacts(connection, { decisions: [{ decisionId: 'd8', customerId: 'ring1', flagId, decidedAt: '2026-02-03T10:00:00Z', verdict: 'legitimate' }] });
    expect((await run('2026-02-05T01:00:00Z')).details).toMatchObject({ flags: { closedByDecisions: 0, redecidedByDecisions: 0 } });
    expect(await decisionOf()).toEqual([['confirmed', 'd9', closedAt]]);

    await insertRiskFacts(connection, { decisions: [{ decisionId: 'd10', customerId: 'ring1', flagId, decidedAt: '2026-02-04T12:00:00Z', verdict: 'legitimate' }] });
    expect((await run('2026-02-05T02:00:00Z')).details).toMatchObject({ flags: { closedByDecisions: 0, redecidedByDecisions: 1 } });
    // Still closed when it was first decided.
    expect(await decisionOf()).toEqual([['dismissed', 'd10', closedAt]]);

    await insertRiskFacts(connection, { decisions: [{ decisionId: 'd11', customerId: 'ring1', flagId, decidedAt: '2026-02-04T12:00:00Z', verdict: 'fraud', fraudType: 'ring' }] });
    await run('2026-02-05T03:00:00Z');
    expect(await decisionOf()).toEqual([['confirmed', 'd11', closedAt]]);
    expect((await run('2026-02-05T04:00:00Z')).details).toMatchObject({ flags: { redecidedByDecisions: 0 } });
  });

  it('expires an open flag once the evidence ages out', async () => {
    await run('2027-03-01T00:00:00Z');
    expect(await listFlags(connection, { status: 'open' })).toEqual([]);
    expect((await listFlags(connection, { customerId: 'ring2' }))[0]!.status).toBe('expired');
  });

  it('marks every customer unscored (score NULL, never 0) when the serving model cannot score', async () => {
    await connection.run(`INSERT INTO model_registry VALUES ('broken', now(), 'histogram-forest', '[]', '{}', now(), now(), now(), now(), '{}', 'serving', '{"kind":"nonsense"}', now())`);
    const result = await run('2026-02-06T00:00:00Z');
    expect(result.details).toMatchObject({ scored: 0, unscored: 5, modelVersion: 'broken' });
    const rows = (await connection.runAndReadAll("SELECT DISTINCT score, tier, status, model_version FROM customer_scores")).getRows();
    expect(rows).toEqual([[null, 'unscored', 'unscored', 'broken']]);
    await connection.run("DELETE FROM model_registry WHERE version = 'broken'");
  });
});

describe('riskJob keeps what its evidence needs', () => {
  it('keeps the typical parcel weight of each product under its as_of, replacing the previous run\'s', async () => {
    const db = await openRiskTestDatabase();
    const conn = await db.connect();
    try {
      // Three one-line returns of pW weighed 400, 500 and 1,200 g for 2 units: a median of 250 g a unit.
      for (const [index, grams] of [400, 500, 1200].entries()) {
        const customerId = `w${index}`;
        await insertRiskFacts(conn, {
          orders: [{ orderId: `o_${customerId}`, customerId, placedAt: '2026-01-02T00:00:00Z' }],
          lines: [{ orderId: `o_${customerId}`, lineId: 'l0', customerId, productId: 'pW', quantity: 2, unitPrice: 1000, placedAt: '2026-01-02T00:00:00Z' }],
          returns: [{ returnId: `r_${customerId}`, orderId: `o_${customerId}`, customerId, requestedAt: '2026-01-10T00:00:00Z', lines: [{ lineId: 'l0', productId: 'pW', quantity: 2, reason: 'fit.too_small' }] }],
          receipts: [{ returnId: `r_${customerId}`, lineId: 'l0', quantity: 2, receivedAt: '2026-01-14T00:00:00Z', weightGrams: grams }],
        });
      }
      const runAt = (now: string) => riskJob.run({ connection: conn, config, logger: pino({ level: 'silent' }), now: new Date(now), fullRebuild: true, signal: new AbortController().signal });
      const kept = async () => (await conn.runAndReadAll('SELECT as_of::VARCHAR, product_id, grams FROM risk_product_weights')).getRows();
      await runAt('2026-02-01T00:00:00Z');
      expect(await kept()).toEqual([['2026-02-01 00:00:00+00', 'pW', 250]]);
      await runAt('2026-02-02T00:00:00Z');
      expect(await kept()).toEqual([['2026-02-02 00:00:00+00', 'pW', 250]]);
    } finally {
      db.close();
    }
  });
});
