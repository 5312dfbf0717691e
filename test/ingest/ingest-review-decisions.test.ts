/**
 * Review decisions that arrive through Kafka (another publisher: a reviewing tool, another replica)
 * decide their flags in the batch's own transaction, by the rule the API and the risk job apply
 * (store/risk/effective-decisions.ts): the latest decision on a flag is its verdict.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBatchWriter, ingestBatch, type EventBatchWriter } from '../../ingest/ingest-batch.ts';
import { openDatabase, type Database } from '../../store/open-database.ts';
import { applyRecordedDecisions } from '../../store/risk/risk-flags.ts';
import { envelope } from './contract-event-builders.ts';

const OPTIONS = { maxEventBytes: 4096, now: () => new Date('2026-11-21T00:00:00Z') };

let database: Database;
let connection: DuckDBConnection;
let writer: EventBatchWriter;
let nextOffset = 0;

beforeEach(async () => {
  database = await openDatabase({ path: ':memory:' });
  connection = await database.connect();
  writer = await createEventBatchWriter(connection);
  nextOffset = 0;
  for (const [flagId, customerId] of [['flg_1', 'cus_1'], ['flg_2', 'cus_2'], ['flg_3', 'cus_3']] as const) {
    await connection.run(
      `INSERT INTO risk_flags VALUES ($flagId, $customerId, 'open', 'high', 0.9, 'item_swap', '[]', 1, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', NULL, NULL, 'm-1', NULL)`,
      { flagId, customerId },
    );
  }
});

afterEach(() => {
  writer.close();
  database.close();
});

interface DecisionFields {
  decisionId: string;
  customerId: string;
  flagId?: string;
  decidedAt: string;
  verdict: 'fraud' | 'abuse' | 'legitimate';
}

/** A risk.decision from another reviewing tool (not the API's `retour-api` source). */
function otherPublisherDecision(fields: DecisionFields): object {
  return { ...envelope('risk.decision', `evt_${fields.decisionId}`, { ...fields, decidedBy: 'other-tool-analyst' }, fields.decidedAt), source: 'other-review-tool' };
}

const ingest = (events: object[]) =>
  ingestBatch(writer, events.map((event) => ({ topic: 'retour.risk.decisions', partition: 0, offset: nextOffset++, value: JSON.stringify(event) })), OPTIONS);

async function flag(flagId: string): Promise<Record<string, unknown>> {
  const reader = await connection.runAndReadAll(
    `SELECT status, decision_id, closed_at::VARCHAR AS closed_at, updated_at::VARCHAR AS updated_at FROM risk_flags WHERE flag_id = $flagId`,
    { flagId },
  );
  return reader.getRowObjectsJson()[0]!;
}

describe('ingestBatch: review decisions from Kafka decide their flags at once', () => {
  it('a decision naming an open flag closes it in the same transaction, and the outcome names it', async () => {
    const outcome = await ingest([otherPublisherDecision({ decisionId: 'dec_a', customerId: 'cus_1', flagId: 'flg_1', decidedAt: '2026-11-20T10:00:00Z', verdict: 'fraud' })]);
    expect(outcome).toMatchObject({ stored: 1, closedFlags: [{ flagId: 'flg_1', customerId: 'cus_1' }] });
    expect(await flag('flg_1')).toEqual({ status: 'confirmed', decision_id: 'dec_a', closed_at: '2026-11-20 10:00:00+00', updated_at: '2026-11-20 10:00:00+00' });
    // Only the flag the decision names.
    expect(await flag('flg_2')).toMatchObject({ status: 'open', decision_id: null });
  });

  it('a later decision on a decided flag (a correction) moves its status; an earlier one arriving late changes nothing', async () => {
    await ingest([otherPublisherDecision({ decisionId: 'dec_a', customerId: 'cus_1', flagId: 'flg_1', decidedAt: '2026-11-20T10:00:00Z', verdict: 'fraud' })]);
    const corrected = await ingest([otherPublisherDecision({ decisionId: 'dec_b', customerId: 'cus_1', flagId: 'flg_1', decidedAt: '2026-11-20T11:00:00Z', verdict: 'legitimate' })]);
    expect(corrected.closedFlags).toEqual([]);
    // closed_at stays when it was first decided.
    expect(await flag('flg_1')).toEqual({ status: 'dismissed', decision_id: 'dec_b', closed_at: '2026-11-20 10:00:00+00', updated_at: '2026-11-20 11:00:00+00' });
    await ingest([otherPublisherDecision({ decisionId: 'dec_c', customerId: 'cus_1', flagId: 'flg_1', decidedAt: '2026-11-20T09:00:00Z', verdict: 'abuse' })]);
    expect(await flag('flg_1')).toMatchObject({ status: 'dismissed', decision_id: 'dec_b' });
  });

  it('several decisions on one flag in one batch: the latest counts, whatever their order', async () => {
    const outcome = await ingest([
      otherPublisherDecision({ decisionId: 'dec_late', customerId: 'cus_1', flagId: 'flg_1', decidedAt: '2026-11-20T12:00:00Z', verdict: 'legitimate' }),
      otherPublisherDecision({ decisionId: 'dec_early', customerId: 'cus_1', flagId: 'flg_1', decidedAt: '2026-11-20T10:00:00Z', verdict: 'fraud' }),
    ]);
    expect(outcome.closedFlags).toEqual([{ flagId: 'flg_1', customerId: 'cus_1' }]);
    expect(await flag('flg_1')).toEqual({ status: 'dismissed', decision_id: 'dec_late', closed_at: '2026-11-20 10:00:00+00', updated_at: '2026-11-20 12:00:00+00' });
  });

  it("a decision naming no flag closes the customer's open flag if made after it opened, and no one else's", async () => {
    const outcome = await ingest([
      otherPublisherDecision({ decisionId: 'dec_cus2', customerId: 'cus_2', decidedAt: '2026-11-20T10:00:00Z', verdict: 'abuse' }),
      // Before cus_3's flag opened: about an earlier review, not this flag.
      otherPublisherDecision({ decisionId: 'dec_cus3', customerId: 'cus_3', decidedAt: '2026-10-20T10:00:00Z', verdict: 'fraud' }),
    ]);
    expect(outcome.closedFlags).toEqual([{ flagId: 'flg_2', customerId: 'cus_2' }]);
    expect(await flag('flg_2')).toMatchObject({ status: 'confirmed', decision_id: 'dec_cus2' });
    expect(await flag('flg_3')).toMatchObject({ status: 'open', decision_id: null });
    expect(await flag('flg_1')).toMatchObject({ status: 'open', decision_id: null });
  });

  it("the echo of a decision already stored (the API's own, coming back from Kafka) is a duplicate and changes no flag", async () => {
    const decision = otherPublisherDecision({ decisionId: 'dec_a', customerId: 'cus_1', flagId: 'flg_1', decidedAt: '2026-11-20T10:00:00Z', verdict: 'fraud' });
    await ingest([decision]);
    // As if a risk run or the API had written the flag since: the echo must not rewrite it.
    await connection.run(`UPDATE risk_flags SET updated_at = '2026-11-20T10:30:00Z' WHERE flag_id = 'flg_1'`);
    const echo = await ingest([decision]);
    expect(echo).toMatchObject({ stored: 0, duplicates: 1, closedFlags: [] });
    expect(await flag('flg_1')).toEqual({ status: 'confirmed', decision_id: 'dec_a', closed_at: '2026-11-20 10:00:00+00', updated_at: '2026-11-20 10:30:00+00' });
  });

  it('a decision for a flag not written yet is stored, and applied by the next risk run once the flag is there', async () => {
    const outcome = await ingest([otherPublisherDecision({ decisionId: 'dec_new', customerId: 'cus_9', flagId: 'flg_9', decidedAt: '2026-11-20T10:00:00Z', verdict: 'legitimate' })]);
    expect(outcome).toMatchObject({ stored: 1, closedFlags: [] });
    await connection.run(`INSERT INTO risk_flags VALUES ('flg_9', 'cus_9', 'open', 'review', 0.6, NULL, '[]', 0, '2026-11-19T00:00:00Z', '2026-11-19T00:00:00Z', NULL, NULL, 'm-1', NULL)`);
    // The risk job's step at the start of every run (jobs/risk/risk-job.ts).
    expect(await applyRecordedDecisions(connection)).toEqual({ closed: [{ flagId: 'flg_9', customerId: 'cus_9' }], redecided: 0 });
    expect(await flag('flg_9')).toMatchObject({ status: 'dismissed', decision_id: 'dec_new' });
  });

  it('a batch that collides with another writer of the same flag (the risk job refreshing it) is written again once that one commits', async () => {
    const riskJob = await database.connect();
    await riskJob.run('BEGIN TRANSACTION');
    await riskJob.run(`UPDATE risk_flags SET score = 0.95, updated_at = '2026-11-20T09:00:00Z' WHERE flag_id = 'flg_1'`);
    const writing = ingest([otherPublisherDecision({ decisionId: 'dec_a', customerId: 'cus_1', flagId: 'flg_1', decidedAt: '2026-11-20T10:00:00Z', verdict: 'fraud' })]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await riskJob.run('COMMIT');
    expect(await writing).toMatchObject({ stored: 1, closedFlags: [{ flagId: 'flg_1', customerId: 'cus_1' }] });
    expect(await flag('flg_1')).toMatchObject({ status: 'confirmed', decision_id: 'dec_a' });
    expect(Number((await connection.runAndReadAll(`SELECT score FROM risk_flags WHERE flag_id = 'flg_1'`)).getRows()[0]![0])).toBe(0.95);
  });
});
