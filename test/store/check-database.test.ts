import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { createEventBatchWriter, ingestBatch, type EventBatchWriter } from '../../ingest/ingest-batch.ts';
import { checkDatabase, worstStatus, type CheckFinding } from '../../store/check-database.ts';
import { openDatabase, type Database } from '../../store/open-database.ts';
import { orderDelivered, orderPlaced, returnRequested } from '../ingest/contract-event-builders.ts';

const OPTIONS = { maxEventBytes: 4096, now: () => new Date('2026-04-01T00:00:00Z') };

let database: Database;
let connection: DuckDBConnection;
let writer: EventBatchWriter;

beforeEach(async () => {
  database = await openDatabase({ path: ':memory:' });
  connection = await database.connect();
  writer = await createEventBatchWriter(connection);
  // Offsets 0–4 of orders/0: four events and a duplicate (offset 4 repeats offset 0).
  const values = [orderPlaced('e1', 'o1'), orderDelivered('e2', 'o1'), returnRequested('e3', 'r1', 'o1'), orderPlaced('e4', 'o2'), orderPlaced('e1', 'o1')];
  const outcome = await ingestBatch(writer, values.map((value, offset) => ({ topic: 'orders', partition: 0, offset, value: JSON.stringify(value) })), OPTIONS);
  expect(outcome).toMatchObject({ stored: 4, duplicates: 1 });
});

afterEach(() => {
  writer.close();
  database.close();
});

function finding(findings: readonly CheckFinding[], check: string): CheckFinding {
  const found = findings.find((candidate) => candidate.check === check);
  if (found === undefined) throw new Error(`no finding ${check} in ${findings.map((candidate) => candidate.check).join(', ')}`);
  return found;
}

describe('checkDatabase', () => {
  it('finds a freshly ingested database sound', async () => {
    const report = await checkDatabase(connection);
    expect(report.findings.filter((candidate) => candidate.status !== 'ok')).toEqual([]);
    expect(report.status).toBe('ok');
    expect(finding(report.findings, 'offsets orders/0').detail).toBe('offsets 0–4: each stored, counted as a duplicate or quarantined');
    expect(finding(report.findings, 'entities orders').detail).toBe('2 rows, each order_id once');
    expect(finding(report.findings, 're-sends order.delivered').detail).toBe('1 events, none with the same data as another');
    expect(finding(report.findings, 'index events').detail).toBe('4 rows agree with key event_id');
    expect(finding(report.findings, 'index ingest_offsets').detail).toBe('1 rows agree with key (topic, kafka_partition)');
  });

  it('fails a stored message beyond the offset committed with it', async () => {
    await connection.run(`UPDATE events SET kafka_offset = 7 WHERE event_id = 'e4'`);
    const report = await checkDatabase(connection);
    expect(finding(report.findings, 'offsets orders/0')).toEqual({
      check: 'offsets orders/0',
      status: 'fail',
      detail: 'a message at offset 7 is stored, but the stored next offset is 5: rows and offset were not committed together',
    });
    expect(report.status).toBe('fail');
  });

  it('warns about offsets that left no trace', async () => {
    await connection.run(`DELETE FROM events WHERE event_id IN ('e2', 'e3')`);
    const report = await checkDatabase(connection);
    expect(finding(report.findings, 'offsets orders/0')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^2 of the offsets 0–4 left no trace/) });
    expect(report.status).toBe('warn');
  });

  it('does not warn about the lines of an imported file that made no message (blank lines, skipped or grouped CSV rows)', async () => {
    // `retour check` after importing the Online Retail CSV warned "10734 of the offsets 2–20000 left no trace … lost messages".
    const values = [orderPlaced('e6', 'o6'), orderPlaced('e7', 'o7')];
    await ingestBatch(writer, values.map((value, index) => ({ topic: 'import:sales.csv', partition: 0, offset: 2 + index * 5, value: JSON.stringify(value) })), OPTIONS);
    const report = await checkDatabase(connection);
    expect(finding(report.findings, 'offsets import:sales.csv/0')).toEqual({
      check: 'offsets import:sales.csv/0',
      status: 'ok',
      detail: 'lines 2–7 of an imported file: 2 left a message (blank lines, and CSV rows skipped or grouped, leave none)',
    });
    expect(report.status).toBe('ok');
  });

  it('warns about an entity stored twice (a database older than the entity check)', async () => {
    await connection.run(`INSERT INTO orders SELECT * FROM orders WHERE order_id = 'o2'`);
    const report = await checkDatabase(connection);
    expect(finding(report.findings, 'entities orders')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^1 of 3 rows repeat another row's order_id/) });
  });

  it('warns about a delivery stored twice under two ids (a database older than the re-send check)', async () => {
    // As ingest before session 10 stored it: the same delivery under another event id.
    await connection.run(`INSERT INTO events SELECT * REPLACE ('e5' AS event_id, 5 AS kafka_offset) FROM events WHERE event_id = 'e2'`);
    const report = await checkDatabase(connection);
    expect(finding(report.findings, 're-sends order.delivered')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^1 of 2 events have the same data as another/) });
  });

  it('fails an API decision with parts missing', async () => {
    await connection.run(`INSERT INTO api_outbox (event_id, topic, message_key, payload, created_at) VALUES ('d1', 'decisions', 'cus_1', '{}', now())`);
    const report = await checkDatabase(connection);
    expect(finding(report.findings, 'decisions')).toEqual({
      check: 'decisions',
      status: 'fail',
      detail: 'API decisions do not add up: 1 outbox rows, 0 facts, 0 events, 0 audit rows',
    });
  });

  it('reports job runs a crash left running without failing', async () => {
    await connection.run(`INSERT INTO job_runs (job, started_at, status) VALUES ('risk', now(), 'running')`);
    const report = await checkDatabase(connection);
    expect(finding(report.findings, 'job runs')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^1 runs recorded as running/) });
  });

  it('takes the worst status', () => {
    expect(worstStatus([])).toBe('ok');
    expect(worstStatus([{ status: 'ok' }, { status: 'warn' }, { status: 'ok' }])).toBe('warn');
    expect(worstStatus([{ status: 'fail' }, { status: 'warn' }])).toBe('fail');
  });
});
