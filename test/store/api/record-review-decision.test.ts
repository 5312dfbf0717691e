import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { readFlagDecision, readFlagDecisions, recordReviewDecision, type ReviewDecisionRecord, type StoredFlagDecision } from '../../../store/api/record-review-decision.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';

let database: Database;
let connection: DuckDBConnection;
beforeEach(async () => {
  database = await openDatabase({ path: ':memory:' });
  connection = await database.connect();
  await connection.run(`INSERT INTO risk_flags VALUES ('flg_1', 'cus_1', 'open', 'high', 0.9, 'item_swap', '[]', 1, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', NULL, NULL, 'm-1', NULL)`);
});
afterEach(() => database.close());

const audit = { keyId: 'k1', keyName: 'anna', role: 'risk', requestId: 'req-1' };

function record(decisionId: string, overrides: Partial<ReviewDecisionRecord> = {}): ReviewDecisionRecord {
  return {
    flagId: 'flg_1', customerId: 'cus_1', decisionId, eventId: `evt_${decisionId}`, payload: '{}', topic: 'retour.decisions',
    decidedAt: new Date('2026-11-20T12:00:00Z'), decidedBy: 'anna', verdict: 'fraud', fraudType: 'item_swap', note: null, flagStatus: 'confirmed', audit, ...overrides,
  };
}

const flagRow = async () => (await connection.runAndReadAll(`SELECT status, decision_id, closed_at::VARCHAR AS closed_at, updated_at::VARCHAR AS updated_at FROM risk_flags`)).getRowObjectsJson()[0];

describe('recordReviewDecision with supersedes (a correction)', () => {
  it('moves the decided flag to the new decision only while it still holds the superseded one, and keeps when it was closed', async () => {
    expect(await recordReviewDecision(connection, record('d1'))).toBe(true);
    const first = (await readFlagDecision(connection, 'd1'))!;
    const correction = record('d2', { decidedAt: new Date('2026-11-21T08:00:00Z'), verdict: 'legitimate', fraudType: null, note: 'mixed-up parcel', flagStatus: 'dismissed', supersedes: first });
    expect(await recordReviewDecision(connection, correction)).toBe(true);
    expect(await flagRow()).toEqual({ status: 'dismissed', decision_id: 'd2', closed_at: '2026-11-20 12:00:00+00', updated_at: '2026-11-21 08:00:00+00' });
    // A second correction of d1 (a stale screen): nothing changes, nothing is stored.
    expect(await recordReviewDecision(connection, record('d3', { decidedAt: new Date('2026-11-21T09:00:00Z'), supersedes: first }))).toBe(false);
    expect(await flagRow()).toMatchObject({ status: 'dismissed', decision_id: 'd2' });
    const stored = (await connection.runAndReadAll(`SELECT (SELECT count(*) FROM risk_decisions)::INTEGER, (SELECT count(*) FROM events)::INTEGER, (SELECT count(*) FROM api_outbox)::INTEGER`)).getRows()[0];
    expect(stored).toEqual([2, 2, 2]);
    const actions = (await connection.runAndReadAll(`SELECT action, details FROM audit_log ORDER BY audit_id`)).getRows().map(([action, details]) => [action, JSON.parse(String(details)) as unknown]);
    expect(actions).toEqual([
      ['flag.decide', { decisionId: 'd1', verdict: 'fraud', fraudType: 'item_swap', note: null }],
      [
        'flag.correct',
        {
          decisionId: 'd2', verdict: 'legitimate', fraudType: null, note: 'mixed-up parcel',
          supersedes: { decisionId: 'd1', verdict: 'fraud', fraudType: 'item_swap', note: null, decidedBy: 'anna', decidedAt: '2026-11-20T12:00:00.000Z' },
        },
      ],
    ]);
  });

  it('refuses to correct an open flag', async () => {
    const phantom: StoredFlagDecision = { decisionId: 'd0', eventId: 'e0', verdict: 'fraud', fraudType: null, note: null, decidedAt: new Date('2026-11-19T00:00:00Z'), decidedBy: 'x' };
    expect(await recordReviewDecision(connection, record('d1', { supersedes: phantom }))).toBe(false);
    expect(await flagRow()).toMatchObject({ status: 'open', decision_id: null });
  });
});

describe('recordReviewDecision next to another writer of the flag', () => {
  it('fails on a concurrent uncommitted write of the flag instead of silently overwriting it (no UPDATE … RETURNING)', async () => {
    // Ingest applying another tool's decision to the same flag, its batch not committed yet.
    const ingest = await database.connect();
    await ingest.run('BEGIN TRANSACTION');
    await ingest.run(`UPDATE risk_flags SET status = 'dismissed', decision_id = 'd_other', closed_at = '2026-11-20T11:00:00Z', updated_at = '2026-11-20T11:00:00Z'`);
    await expect(recordReviewDecision(connection, record('d1'))).rejects.toThrow(/Conflict on update/);
    await ingest.run('COMMIT');
    expect(await flagRow()).toMatchObject({ status: 'dismissed', decision_id: 'd_other' });
    expect((await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM audit_log`)).getRows()[0]).toEqual([0]);
  });
});

describe('readFlagDecisions', () => {
  it('lists the decisions naming the flag and the one it holds, the latest first, ties by the greater id, each decision once', async () => {
    await connection.run(`UPDATE risk_flags SET status = 'confirmed', decision_id = 'd_customer'`);
    await connection.run(`INSERT INTO risk_decisions VALUES
      ('d_customer', 'cus_1', NULL, '2026-11-20T10:00:00Z', 'tool', 'fraud', NULL, NULL, 'e1'),
      ('d_b', 'cus_1', 'flg_1', '2026-11-21T10:00:00Z', 'anna', 'legitimate', NULL, NULL, 'e2'),
      ('d_a', 'cus_1', 'flg_1', '2026-11-21T10:00:00Z', 'bob', 'abuse', NULL, NULL, 'e3'),
      ('d_b', 'cus_1', 'flg_1', '2026-11-21T10:00:00Z', 'anna', 'legitimate', NULL, NULL, 'e4'),
      ('d_other_flag', 'cus_1', 'flg_2', '2026-11-22T10:00:00Z', 'anna', 'fraud', NULL, NULL, 'e5'),
      ('d_customer_later', 'cus_1', NULL, '2026-11-22T10:00:00Z', 'tool', 'fraud', NULL, NULL, 'e6')`);
    const decisions = await readFlagDecisions(connection, { flagId: 'flg_1', decisionId: 'd_customer' });
    expect(decisions.map((decision) => [decision.decisionId, decision.eventId])).toEqual([['d_b', 'e2'], ['d_a', 'e3'], ['d_customer', 'e1']]);
  });
});
