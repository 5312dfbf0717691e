import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDatabase, type Database } from '../../store/open-database.ts';
import { createEventBatchWriter, ingestBatch, readStoredOffsets, type BatchOutcome, type EventBatchWriter, type RawMessage } from '../../ingest/ingest-batch.ts';
import { claimOpened, envelope, orderDelivered, orderPlaced, refundIssued, returnInspected, returnRequested, riskDecision } from './contract-event-builders.ts';

const OPTIONS = { maxEventBytes: 4096, now: () => new Date('2026-04-01T00:00:00Z') };

let database: Database;
let connection: DuckDBConnection;
let writer: EventBatchWriter;
let nextOffset = 0;

beforeEach(async () => {
  database = await openDatabase({ path: ':memory:' });
  connection = await database.connect();
  writer = await createEventBatchWriter(connection);
  nextOffset = 0;
});

afterEach(() => {
  writer.close();
  database.close();
});

function messages(values: (RawMessage['value'] | object)[], topic = 'orders', partition = 0): RawMessage[] {
  return values.map((value) => ({
    topic,
    partition,
    offset: nextOffset++,
    value: value === null || typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value),
  }));
}

async function count(sql: string): Promise<number> {
  const reader = await connection.runAndReadAll(sql);
  return Number(reader.getRows()[0]?.[0]);
}

function expectReconciles(outcome: BatchOutcome): void {
  expect(outcome.consumed).toBe(outcome.stored + outcome.duplicates + outcome.quarantined.length);
}

describe('ingestBatch', () => {
  it('stores valid events in the log and one fact row per line', async () => {
    const batch = messages([
      orderPlaced('e1', 'o1', [
        { lineId: 'l1', quantity: 2, unitPrice: 1500 },
        { lineId: 'l2', quantity: 1, unitPrice: 999 },
      ]),
      orderDelivered('e2', 'o1'),
      orderDelivered('e3', 'o1', ['l1', 'l2']),
      returnRequested('e4', 'r1', 'o1'),
    ]);
    const outcome = await ingestBatch(writer, batch, OPTIONS);
    expect(outcome).toMatchObject({ consumed: 4, stored: 4, duplicates: 0, quarantined: [], storedByType: { 'order.placed': 1, 'order.delivered': 2, 'return.requested': 1 } });
    const events = await connection.runAndReadAll(`SELECT event_id, type, source, subject, epoch_ms(event_time), customer_id, payload, topic, kafka_partition, kafka_offset, epoch_ms(ingested_at) FROM events ORDER BY event_id`);
    expect(events.getRows()[0]).toEqual(['e1', 'order.placed', 'test', 'o1', BigInt(Date.parse('2026-03-01T10:00:00Z')), 'cus_1', batch[0]!.value, 'orders', 0, 0n, BigInt(Date.parse('2026-04-01T00:00:00Z'))]);
    const lines = await connection.runAndReadAll(`SELECT order_id, line_id, quantity, unit_price, currency, size, color FROM order_lines ORDER BY line_id`);
    expect(lines.getRows()).toEqual([
      ['o1', 'l1', 2, 1500n, 'EUR', 'M', null],
      ['o1', 'l2', 1, 999n, 'EUR', 'M', null],
    ]);
    const deliveries = await connection.runAndReadAll(`SELECT event_id, line_id, epoch_ms(delivered_at) FROM deliveries ORDER BY event_id, line_id`);
    expect(deliveries.getRows()).toEqual([
      ['e2', null, BigInt(Date.parse('2026-03-03T09:00:00Z'))],
      ['e3', 'l1', BigInt(Date.parse('2026-03-03T09:00:00Z'))],
      ['e3', 'l2', BigInt(Date.parse('2026-03-03T09:00:00Z'))],
    ]);
    expect(await count(`SELECT count(*) FROM return_lines WHERE reason = 'fit.too_small' AND comment = 'tight'`)).toBe(1);
    expect(outcome.nextOffsets).toEqual([{ topic: 'orders', partition: 0, nextOffset: 4 }]);
  });

  it('extracts facts from what was validated: the last of duplicate keys, bytes or pretty-printed text', async () => {
    const text = JSON.stringify(orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }]));
    // JSON.parse keeps the last duplicate key (validated: 2); DuckDB alone would read the first ("x").
    const duplicateKeys = text.replace('"quantity":2', '"quantity":"x","quantity":2');
    const pretty = JSON.stringify(orderPlaced('e2', 'o2', [{ lineId: 'l1', quantity: 3, unitPrice: 100 }]), null, 2);
    const bytes = new TextEncoder().encode(JSON.stringify(orderPlaced('e3', 'o3', [{ lineId: 'l1', quantity: 4, unitPrice: 100 }])));
    const outcome = await ingestBatch(writer, messages([duplicateKeys, pretty, bytes]), OPTIONS);
    expect(outcome).toMatchObject({ stored: 3, quarantined: [] });
    const lines = await connection.runAndReadAll('SELECT order_id, quantity FROM order_lines ORDER BY order_id');
    expect(lines.getRows()).toEqual([
      ['o1', 2],
      ['o2', 3],
      ['o3', 4],
    ]);
    const payloads = await connection.runAndReadAll('SELECT payload FROM events ORDER BY event_id');
    expect(payloads.getRows().map(([payload]) => payload)).toEqual([duplicateKeys, pretty, new TextDecoder().decode(bytes)]);
  });

  it('stores message bytes as the same text: views into a larger buffer, non-ASCII, a byte order mark dropped', async () => {
    const accented = orderPlaced('e1', 'o1');
    (accented['data'] as { lines: { variant?: { color?: string } }[] }).lines[0]!.variant = { color: 'bleu clair — 青' };
    const first = JSON.stringify(accented);
    const second = JSON.stringify(orderPlaced('e2', 'o2'));
    // kafkajs hands out slices of one fetch buffer; the bytes around each message must not leak in.
    const fetchBuffer = Buffer.concat([Buffer.from('HEAD'), Buffer.from(first), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(second), Buffer.from('TAIL')]);
    const firstBytes = fetchBuffer.subarray(4, 4 + Buffer.byteLength(first));
    const secondBytes = fetchBuffer.subarray(4 + Buffer.byteLength(first), fetchBuffer.length - 4);
    const outcome = await ingestBatch(writer, messages([firstBytes, secondBytes]), OPTIONS);
    expect(outcome).toMatchObject({ stored: 2, quarantined: [] });
    const payloads = await connection.runAndReadAll('SELECT payload FROM events ORDER BY event_id');
    expect(payloads.getRows().map(([payload]) => payload)).toEqual([first, second]);
    const colors = await connection.runAndReadAll("SELECT color FROM order_lines WHERE order_id = 'o1'");
    expect(colors.getRows()).toEqual([['bleu clair — 青']]);
  });

  it('quarantines every kind of malformed message with its code and path, and still reconciles', async () => {
    const oversize = JSON.stringify(envelope('return.closed', 'big', { returnId: 'r', closedAt: '2026-03-01T10:00:00Z', outcome: 'refunded', pad: 'x'.repeat(5000) }));
    const badQuantity = orderPlaced('e-neg', 'o9', [{ lineId: 'l1', quantity: -2, unitPrice: 100 }]);
    const duplicateLines = orderPlaced('e-dup-lines', 'o8', [
      { lineId: 'l1', quantity: 1, unitPrice: 100 },
      { lineId: 'l1', quantity: 1, unitPrice: 100 },
    ]);
    const batch = messages([
      '{not json',
      '[1,2,3]',
      oversize,
      envelope('order.cancelled', 'e-unknown', { orderId: 'o1' }),
      { ...orderPlaced('e-env', 'o1'), specversion: '0.3' },
      badQuantity,
      duplicateLines,
      null,
      new Uint8Array([0xff, 0xfe, 0x7b]),
      JSON.stringify(orderPlaced('e-sur', 'o7')).replace('"cus_1"', '"cus_\\ud800"'),
      orderPlaced('e-ok', 'o1'),
    ]);
    const outcome = await ingestBatch(writer, batch, OPTIONS);
    expectReconciles(outcome);
    expect(outcome.stored).toBe(1);
    expect(outcome.quarantined.map((entry) => [entry.code, entry.path])).toEqual([
      ['RETOUR_EVENT_NOT_JSON', '$'],
      ['RETOUR_EVENT_NOT_JSON', '$'],
      ['RETOUR_EVENT_OVERSIZE', '$'],
      ['RETOUR_EVENT_UNKNOWN_TYPE', '$.type'],
      ['RETOUR_EVENT_ENVELOPE_INVALID', '$.specversion'],
      ['RETOUR_EVENT_SCHEMA_INVALID', '$.data.lines[0].quantity'],
      ['RETOUR_EVENT_IMPOSSIBLE_VALUE', '$.data.lines[1].lineId'],
      ['RETOUR_EVENT_NOT_JSON', '$'],
      ['RETOUR_EVENT_NOT_JSON', '$'],
      ['RETOUR_EVENT_NOT_JSON', '$.data.customerId'],
    ]);
    expect(outcome.quarantined[5]!.reason).toContain('(got -2)');
    expect(outcome.quarantined[5]).toMatchObject({ eventId: 'e-neg', eventType: 'order.placed' });
    const rows = await connection.runAndReadAll(`SELECT error_code, json_path, event_id, topic, kafka_offset, raw FROM quarantine ORDER BY kafka_offset`);
    expect(rows.getRows()).toHaveLength(10);
    const [code, path, eventId, topic, offset, raw] = rows.getRows()[5]!;
    expect([code, path, eventId, topic, offset]).toEqual(['RETOUR_EVENT_SCHEMA_INVALID', '$.data.lines[0].quantity', 'e-neg', 'orders', 5n]);
    expect(Buffer.from((raw as { bytes: Uint8Array }).bytes).toString('utf8')).toBe(batch[5]!.value);
    expect(await count('SELECT count(*) FROM events')).toBe(1);
    expect(await count('SELECT count(*) FROM order_lines')).toBe(1);
    expect(outcome.nextOffsets).toEqual([{ topic: 'orders', partition: 0, nextOffset: 11 }]);
  });

  it('counts re-sent events as duplicates (key order ignored) within a batch and across batches', async () => {
    const event = orderPlaced('e1', 'o1');
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(event).reverse()));
    const first = await ingestBatch(writer, messages([event, reordered, returnInspected('e2', 'r1')]), OPTIONS);
    expect(first).toMatchObject({ stored: 2, duplicates: 1, quarantined: [] });
    const second = await ingestBatch(writer, messages([reordered, event, returnInspected('e2', 'r1')]), OPTIONS);
    expect(second).toMatchObject({ consumed: 3, stored: 0, duplicates: 3, quarantined: [] });
    expect(await count('SELECT count(*) FROM events')).toBe(2);
    expect(await count('SELECT count(*) FROM order_lines')).toBe(1);
    expect(await count('SELECT count(*) FROM ingest_duplicates')).toBe(4);
  });

  it('counts a re-sent event whose optional attributes are null where the first had none (or the reverse) as a duplicate', async () => {
    // docs/events.md: an optional attribute set to null is the same as an absent one.
    const withoutSubject = orderPlaced('e1', 'o1');
    delete withoutSubject['subject'];
    const nullSubject = { ...withoutSubject, subject: null, dataschema: null };
    const first = await ingestBatch(writer, messages([withoutSubject, nullSubject]), OPTIONS);
    expect(first).toMatchObject({ stored: 1, duplicates: 1, quarantined: [] });
    const second = await ingestBatch(writer, messages([nullSubject, withoutSubject]), OPTIONS);
    expect(second).toMatchObject({ stored: 0, duplicates: 2, quarantined: [] });
    // Stored with the nulls (its payload is the message as received), then re-sent without them.
    const nullFirst = { ...orderPlaced('e2', 'o2'), subject: null };
    const third = await ingestBatch(writer, messages([nullFirst]), OPTIONS);
    const fourth = await ingestBatch(writer, messages([{ ...nullFirst, subject: undefined }]), OPTIONS);
    expect([third.stored, fourth.duplicates, fourth.quarantined]).toEqual([1, 1, []]);
  });

  it('quarantines an id seen again with different content as RETOUR_EVENT_ID_CONFLICT, in and across batches', async () => {
    const original = orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }]);
    const changed = orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 3, unitPrice: 1500 }]);
    const first = await ingestBatch(writer, messages([original, changed]), OPTIONS);
    expect(first.stored).toBe(1);
    expect(first.quarantined).toMatchObject([{ code: 'RETOUR_EVENT_ID_CONFLICT', path: '$.data.lines[0].quantity', eventId: 'e1' }]);
    expect(first.quarantined[0]!.reason).toContain('came earlier in this batch');
    const second = await ingestBatch(writer, messages([changed, original]), OPTIONS);
    expectReconciles(second);
    expect(second).toMatchObject({ stored: 0, duplicates: 1 });
    expect(second.quarantined[0]!.reason).toContain('was already stored');
    expect(await count(`SELECT sum(quantity) FROM order_lines`)).toBe(2);
  });

  it('writes a batch holding an already stored id exactly once: new events, the duplicate, quarantine rows and refund checks', async () => {
    await ingestBatch(writer, messages([orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }])]), OPTIONS);
    // The stored id makes the optimistic insert fail on the primary key; the batch is redone with the lookup.
    const outcome = await ingestBatch(
      writer,
      messages([
        'not json',
        orderPlaced('e2', 'o2', [{ lineId: 'l1', quantity: 1, unitPrice: 100 }]),
        orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }]),
        refundIssued('e3', 'o2', 150),
        refundIssued('e4', 'o1', 3000),
      ]),
      OPTIONS,
    );
    expectReconciles(outcome);
    expect(outcome).toMatchObject({ stored: 2, duplicates: 1, storedByType: { 'order.placed': 1, 'refund.issued': 1 } });
    expect(outcome.quarantined.map(({ code, eventId }) => [code, eventId])).toEqual([
      ['RETOUR_EVENT_NOT_JSON', undefined],
      ['RETOUR_EVENT_REFERENCE_INVALID', 'e3'],
    ]);
    expect(await count('SELECT count(*) FROM events')).toBe(3);
    expect(await count('SELECT count(*) FROM order_lines')).toBe(2);
    expect(await count('SELECT count(*) FROM quarantine')).toBe(2);
    expect(await count('SELECT count(*) FROM ingest_duplicates')).toBe(1);
    expect(await count('SELECT count(*) FROM refunds')).toBe(1);
  });

  it('stores each duplicate and quarantine row once across a rolled-back first attempt (the rollback also undoes the clearing of their temp tables)', async () => {
    const first = await ingestBatch(writer, messages([orderPlaced('e1', 'o1'), 'bad one', orderPlaced('e1', 'o1')]), OPTIONS);
    expect(first).toMatchObject({ stored: 1, duplicates: 1 });
    // e1 is stored: the optimistic attempt fails on the primary key, is rolled back and redone.
    const second = await ingestBatch(writer, messages([orderPlaced('e1', 'o1'), 'bad two']), OPTIONS);
    expect(second).toMatchObject({ stored: 0, duplicates: 1 });
    const third = await ingestBatch(writer, messages([orderPlaced('e2', 'o2')]), OPTIONS);
    expect(third).toMatchObject({ stored: 1, duplicates: 0, quarantined: [] });
    expect(await count('SELECT count(*) FROM quarantine')).toBe(2);
    expect(await count(`SELECT count(*) FROM quarantine WHERE raw = 'bad two'::BLOB`)).toBe(1);
    expect(await count('SELECT count(*) FROM ingest_duplicates')).toBe(2);
    expect(await count('SELECT count(DISTINCT kafka_offset) FROM ingest_duplicates')).toBe(2);
  });

  it('rejects a refund above what its stored order cost, naming both amounts, and stores it when the order is unknown', async () => {
    await ingestBatch(writer, messages([orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }])]), OPTIONS);
    const outcome = await ingestBatch(
      writer,
      messages([
        refundIssued('rf1', 'o1', 3001),
        refundIssued('rf2', 'o1', 3000),
        orderPlaced('e2', 'o2', [{ lineId: 'l1', quantity: 1, unitPrice: 500 }]),
        refundIssued('rf3', 'o2', 501),
        refundIssued('rf4', 'o-unknown', 999_999),
      ]),
      OPTIONS,
    );
    expectReconciles(outcome);
    expect(outcome.quarantined.map((entry) => [entry.eventId, entry.code, entry.path])).toEqual([
      ['rf1', 'RETOUR_EVENT_REFERENCE_INVALID', '$.data.amount'],
      ['rf3', 'RETOUR_EVENT_REFERENCE_INVALID', '$.data.amount'],
    ]);
    expect(outcome.quarantined[0]!.reason).toBe('$.data.amount: refund of 3001 EUR is above the 3000 EUR paid for order "o1" (sum of unitPrice × quantity of its lines)');
    const refunds = await connection.runAndReadAll('SELECT refund_id, amount FROM refunds ORDER BY refund_id');
    expect(refunds.getRows()).toEqual([
      ['rfd_rf2', 3000n],
      ['rfd_rf4', 999_999n],
    ]);
  });

  it('rejects a refund in another currency than its order (stored or earlier in the batch), naming both currencies, whatever the amount', async () => {
    await ingestBatch(writer, messages([orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 1, unitPrice: 1000 }])]), OPTIONS);
    const outcome = await ingestBatch(
      writer,
      messages([
        refundIssued('rf1', 'o1', 50_000, 'JPY'),
        refundIssued('rf2', 'o1', 900, 'USD'),
        orderPlaced('e2', 'o2', [{ lineId: 'l1', quantity: 1, unitPrice: 1000 }], 'JPY'),
        refundIssued('rf3', 'o2', 900, 'USD'),
        refundIssued('rf4', 'o2', 900, 'JPY'),
        refundIssued('rf5', 'o1', 1000, 'EUR'),
      ]),
      OPTIONS,
    );
    expectReconciles(outcome);
    expect(outcome.quarantined.map((entry) => [entry.eventId, entry.code, entry.path, entry.reason])).toEqual([
      ['rf1', 'RETOUR_EVENT_REFERENCE_INVALID', '$.data.currency', '$.data.currency: refund of 50000 JPY is in JPY, but order "o1" was paid in EUR (1000 EUR)'],
      ['rf2', 'RETOUR_EVENT_REFERENCE_INVALID', '$.data.currency', '$.data.currency: refund of 900 USD is in USD, but order "o1" was paid in EUR (1000 EUR)'],
      ['rf3', 'RETOUR_EVENT_REFERENCE_INVALID', '$.data.currency', '$.data.currency: refund of 900 USD is in USD, but order "o2" was paid in JPY (1000 JPY)'],
    ]);
    const refunds = await connection.runAndReadAll('SELECT refund_id, amount, currency FROM refunds ORDER BY refund_id');
    expect(refunds.getRows()).toEqual([
      ['rfd_rf4', 900n, 'JPY'],
      ['rfd_rf5', 1000n, 'EUR'],
    ]);
  });

  it('quarantines an order or refund in a currency outside ISO 4217 before any reference check, and still reconciles', async () => {
    await ingestBatch(writer, messages([orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 1, unitPrice: 1000 }])]), OPTIONS);
    const outcome = await ingestBatch(
      writer,
      messages([
        orderPlaced('e2', 'o2', [{ lineId: 'l1', quantity: 1, unitPrice: 1000 }], 'XYZ'),
        refundIssued('rf1', 'o2', 500, 'XYZ'),
        refundIssued('rf2', 'o1', 500, 'eur'),
        refundIssued('rf3', 'o1', 500, 'XTS'),
        orderPlaced('e3', 'o3', [{ lineId: 'l1', quantity: 1, unitPrice: 1000 }], 'KWD'),
        refundIssued('rf4', 'o1', 500, 'EUR'),
      ]),
      OPTIONS,
    );
    expectReconciles(outcome);
    expect(outcome).toMatchObject({ consumed: 6, stored: 2, duplicates: 0 });
    expect(outcome.quarantined.map((entry) => [entry.eventId, entry.code, entry.path])).toEqual([
      ['e2', 'RETOUR_EVENT_SCHEMA_INVALID', '$.data.currency'],
      ['rf1', 'RETOUR_EVENT_SCHEMA_INVALID', '$.data.currency'],
      ['rf2', 'RETOUR_EVENT_SCHEMA_INVALID', '$.data.currency'],
      ['rf3', 'RETOUR_EVENT_SCHEMA_INVALID', '$.data.currency'],
    ]);
    expect(outcome.quarantined[2]!.reason).toBe('$.data.currency: must be the ISO 4217 code of a currency in circulation, in upper case: "EUR" (got "eur")');
    expect(await count(`SELECT count(*) FROM quarantine WHERE error_code = 'RETOUR_EVENT_SCHEMA_INVALID' AND json_path = '$.data.currency'`)).toBe(4);
    expect((await connection.runAndReadAll('SELECT order_id, currency FROM orders ORDER BY order_id')).getRows()).toEqual([
      ['o1', 'EUR'],
      ['o3', 'KWD'],
    ]);
  });

  it('finds stored orders whose ids hold quotes, backslashes and non-ASCII characters', async () => {
    const orderId = 'o "quoted" \\ back — ünï';
    await ingestBatch(writer, messages([orderPlaced('e1', orderId, [{ lineId: 'l1', quantity: 1, unitPrice: 100 }])]), OPTIONS);
    const outcome = await ingestBatch(writer, messages([refundIssued('rf1', orderId, 101), refundIssued('rf2', orderId, 100)]), OPTIONS);
    expect(outcome.quarantined.map((entry) => [entry.eventId, entry.code])).toEqual([['rf1', 'RETOUR_EVENT_REFERENCE_INVALID']]);
    expect(outcome.stored).toBe(1);
  });

  it('stores out-of-order facts as they come: inspection before its request, delivery before its order', async () => {
    const outcome = await ingestBatch(writer, messages([returnInspected('e1', 'r1'), orderDelivered('e2', 'o1'), returnRequested('e3', 'r1', 'o1'), orderPlaced('e4', 'o1')]), OPTIONS);
    expect(outcome).toMatchObject({ stored: 4, quarantined: [] });
    expect(await count('SELECT count(*) FROM inspections')).toBe(1);
    expect(await count('SELECT count(*) FROM deliveries')).toBe(1);
    expect(await count('SELECT count(*) FROM return_requests')).toBe(1);
    expect(await count('SELECT count(*) FROM orders')).toBe(1);
  });

  it('moves offsets forward per (topic, partition) and never backwards', async () => {
    const batch: RawMessage[] = [
      { topic: 'a', partition: 0, offset: 10, value: JSON.stringify(orderPlaced('e1', 'o1')) },
      { topic: 'a', partition: 1, offset: 3, value: JSON.stringify(orderPlaced('e2', 'o2')) },
      { topic: 'a', partition: 0, offset: 12, value: '{}' },
      { topic: 'b', partition: 0, offset: 7, value: JSON.stringify(orderPlaced('e3', 'o3')) },
    ];
    const outcome = await ingestBatch(writer, batch, OPTIONS);
    expect(outcome.nextOffsets).toEqual([
      { topic: 'a', partition: 0, nextOffset: 13 },
      { topic: 'a', partition: 1, nextOffset: 4 },
      { topic: 'b', partition: 0, nextOffset: 8 },
    ]);
    const replay = await ingestBatch(writer, [{ topic: 'a', partition: 0, offset: 5, value: JSON.stringify(orderPlaced('e1', 'o1')) }], OPTIONS);
    expect(replay).toMatchObject({ duplicates: 1, nextOffsets: [{ topic: 'a', partition: 0, nextOffset: 13 }] });
    expect(await readStoredOffsets(connection)).toEqual([
      { topic: 'a', partition: 0, nextOffset: 13 },
      { topic: 'a', partition: 1, nextOffset: 4 },
      { topic: 'b', partition: 0, nextOffset: 8 },
    ]);
  });

  it('leaves no partial rows and no offset when the batch fails mid-way', async () => {
    await ingestBatch(writer, messages([orderPlaced('e0', 'o0')]), OPTIONS);
    // A statement inside the transaction fails: a trigger-like failure is injected by dropping a fact
    // table (renaming it away; DuckDB cannot rename a table with an index, so its index goes first).
    await connection.run('DROP INDEX return_closures_by_return');
    await connection.run('ALTER TABLE return_closures RENAME TO return_closures_gone');
    const batch = messages([orderPlaced('e1', 'o1'), '{bad', envelope('return.closed', 'e2', { returnId: 'r1', closedAt: '2026-03-01T10:00:00Z', outcome: 'refunded' })]);
    await expect(ingestBatch(writer, batch, OPTIONS)).rejects.toMatchObject({ code: 'RETOUR_DB_FAILED', message: expect.stringContaining('return_closures') });
    expect(await count('SELECT count(*) FROM events')).toBe(1);
    expect(await count('SELECT count(*) FROM order_lines')).toBe(1);
    expect(await count('SELECT count(*) FROM quarantine')).toBe(0);
    expect(await readStoredOffsets(connection)).toEqual([{ topic: 'orders', partition: 0, nextOffset: 1 }]);
    // The same writer recovers once the cause is gone, and the retried batch is stored exactly once.
    await connection.run('ALTER TABLE return_closures_gone RENAME TO return_closures');
    await connection.run('CREATE INDEX return_closures_by_return ON return_closures (return_id)');
    const retried = await ingestBatch(writer, batch, OPTIONS);
    expect(retried).toMatchObject({ stored: 2, duplicates: 0 });
    expect(await count('SELECT count(*) FROM events')).toBe(3);
    expect(await count('SELECT count(*) FROM quarantine')).toBe(1);
  });

  it('fails cleanly, with nothing stored, when the connection is closed under it', async () => {
    const other = await database.connect();
    const closing = await createEventBatchWriter(other);
    other.closeSync();
    await expect(ingestBatch(closing, messages([orderPlaced('e1', 'o1')]), OPTIONS)).rejects.toMatchObject({ code: 'RETOUR_DB_FAILED' });
    closing.close();
    closing.close();
    expect(await count('SELECT count(*) FROM events')).toBe(0);
    expect(await readStoredOffsets(connection)).toEqual([]);
  });

  it('refuses negative offsets before touching the database', async () => {
    await expect(ingestBatch(writer, [{ topic: 't', partition: 0, offset: -1, value: '{}' }], OPTIONS)).rejects.toThrow(/offset must be a non-negative safe integer, got -1/);
  });

  it('applies the writer settings to DuckDB and refuses a size it cannot read', async () => {
    const other = await database.connect();
    const tuned = await createEventBatchWriter(other, { checkpointThreshold: '1GB', memoryLimit: '300MB', threads: 1 });
    const reader = await connection.runAndReadAll(`SELECT name, value FROM duckdb_settings() WHERE name IN ('checkpoint_threshold', 'memory_limit', 'threads') ORDER BY name`);
    // DuckDB reports sizes in binary units: 1 GB = 953.6 MiB, 300 MB = 286.1 MiB.
    expect(reader.getRows()).toEqual([
      ['checkpoint_threshold', '953.6 MiB'],
      ['memory_limit', '286.1 MiB'],
      ['threads', '1'],
    ]);
    const outcome = await ingestBatch(tuned, messages([orderPlaced('e1', 'o1')]), OPTIONS);
    expect(outcome.stored).toBe(1);
    tuned.close();
    await expect(createEventBatchWriter(other, { memoryLimit: "1GB'; DROP TABLE events; --" })).rejects.toThrow(/memory_limit must be a size such as 256MB/);
    await expect(createEventBatchWriter(other, { threads: 0 })).rejects.toThrow(/threads must be an integer from 1 to 1024, got 0/);
    expect(await count('SELECT count(*) FROM events')).toBe(1);
  });
});

/** The same event under another id (and, as a producer that mints ids would send it, another time). */
function resentUnderNewId(event: Record<string, unknown>, id: string): Record<string, unknown> {
  return { ...event, id, time: '2026-03-20T10:00:00Z', source: 'test-retry' };
}

function withData(event: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  return { ...event, data: { ...(event['data'] as Record<string, unknown>), ...patch } };
}

/** Every entity-creating type: the first event, the same entity with other data, and where it is stored. */
const ENTITIES = [
  {
    type: 'order.placed',
    original: orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }]),
    changed: orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 3, unitPrice: 1500 }]),
    table: 'orders',
    path: '$.data.orderId',
    reason: (by: string) => `$.data.orderId: order "o1" was already placed by event "${by}" with other data (first difference at $.data.lines[0].quantity)`,
  },
  {
    type: 'return.requested',
    original: returnRequested('e1', 'r1', 'o1'),
    changed: withData(returnRequested('e1', 'r1', 'o1'), { method: 'drop_off' }),
    table: 'return_requests',
    path: '$.data.returnId',
    reason: (by: string) => `$.data.returnId: return "r1" was already requested by event "${by}" with other data (first difference at $.data.method)`,
  },
  {
    type: 'refund.issued',
    original: withData(refundIssued('e1', 'o-unknown', 500), { refundId: 'rf1' }),
    changed: withData(refundIssued('e1', 'o-unknown', 700), { refundId: 'rf1' }),
    table: 'refunds',
    path: '$.data.refundId',
    reason: (by: string) => `$.data.refundId: refund "rf1" was already issued by event "${by}" with other data (first difference at $.data.amount)`,
  },
  {
    type: 'claim.opened',
    original: claimOpened('e1', 'c1', 'o1'),
    changed: withData(claimOpened('e1', 'c1', 'o1'), { kind: 'wrong_item' }),
    table: 'claims',
    path: '$.data.claimId',
    reason: (by: string) => `$.data.claimId: claim "c1" was already opened by event "${by}" with other data (first difference at $.data.kind)`,
  },
  {
    type: 'risk.decision',
    original: riskDecision('e1', 'd1'),
    changed: riskDecision('e1', 'd1', 'legitimate'),
    table: 'risk_decisions',
    path: '$.data.decisionId',
    reason: (by: string) => `$.data.decisionId: decision "d1" was already made by event "${by}" with other data (first difference at $.data.verdict)`,
  },
];

const returnReceived = (id: string) => envelope('return.received', id, { returnId: 'r1', receivedAt: '2026-03-07T10:00:00Z', lines: [{ lineId: 'l1', quantity: 1 }], weightGrams: 800 });
const returnClosed = (id: string) => envelope('return.closed', id, { returnId: 'r1', closedAt: '2026-03-10T10:00:00Z', outcome: 'refunded' });
const returnFeedback = (id: string) => envelope('return.feedback', id, { returnId: 'r1', customerId: 'cus_1', submittedAt: '2026-03-11T10:00:00Z', rating: 4 });

/**
 * Every type that legitimately repeats per order or return: the first event, another event of the
 * same order or return at the same time with other data (a fact of its own), the first one's data at
 * another time, where it is stored and how many rows one event adds there.
 */
const OCCURRENCES = [
  {
    type: 'order.delivered',
    original: orderDelivered('e1', 'o1', ['l1']),
    sameTimeOtherData: orderDelivered('e1', 'o1', ['l2']),
    otherTime: withData(orderDelivered('e1', 'o1', ['l1']), { deliveredAt: '2026-03-04T10:00:00Z' }),
    table: 'deliveries',
  },
  {
    type: 'return.received',
    original: returnReceived('e1'),
    sameTimeOtherData: withData(returnReceived('e1'), { lines: [{ lineId: 'l2', quantity: 1 }] }),
    otherTime: withData(returnReceived('e1'), { receivedAt: '2026-03-08T10:00:00Z' }),
    table: 'return_receipts',
  },
  {
    type: 'return.inspected',
    original: returnInspected('e1', 'r1'),
    sameTimeOtherData: withData(returnInspected('e1', 'r1'), { lines: [{ lineId: 'l1', condition: 'C_used', disposition: 'b_stock' }] }),
    otherTime: withData(returnInspected('e1', 'r1'), { inspectedAt: '2026-03-09T10:00:00Z' }),
    table: 'inspections',
  },
  {
    type: 'return.closed',
    original: returnClosed('e1'),
    sameTimeOtherData: withData(returnClosed('e1'), { outcome: 'rejected' }),
    otherTime: withData(returnClosed('e1'), { closedAt: '2026-03-12T10:00:00Z' }),
    table: 'return_closures',
  },
  {
    type: 'return.feedback',
    original: returnFeedback('e1'),
    sameTimeOtherData: withData(returnFeedback('e1'), { rating: 2, comment: 'slow refund' }),
    otherTime: withData(returnFeedback('e1'), { submittedAt: '2026-03-12T10:00:00Z' }),
    table: 'return_feedback',
  },
];

describe('ingestBatch: an entity re-sent under a new event id', () => {
  describe.each(ENTITIES)('$type', ({ type, original, changed, table, path, reason }) => {
    it('is a duplicate across batches when its data is the same (envelope ignored), naming the event that stored it', async () => {
      expect((await ingestBatch(writer, messages([original]), OPTIONS)).stored).toBe(1);
      const outcome = await ingestBatch(writer, messages([resentUnderNewId(original, 'e2')]), OPTIONS);
      expectReconciles(outcome);
      expect(outcome).toMatchObject({ consumed: 1, stored: 0, duplicates: 1, quarantined: [] });
      expect(await count(`SELECT count(*) FROM ${table}`)).toBe(1);
      expect(await count('SELECT count(*) FROM events')).toBe(1);
      const duplicates = await connection.runAndReadAll('SELECT event_id, repeat_of, kafka_offset FROM ingest_duplicates');
      expect(duplicates.getRows()).toEqual([['e2', 'e1', 1n]]);
    });

    it('is quarantined across batches when its data differs, at the id path, naming the event that stored it and the difference', async () => {
      await ingestBatch(writer, messages([original]), OPTIONS);
      const outcome = await ingestBatch(writer, messages([resentUnderNewId(changed, 'e2')]), OPTIONS);
      expectReconciles(outcome);
      expect(outcome).toMatchObject({ stored: 0, duplicates: 0 });
      expect(outcome.quarantined.map((entry) => [entry.code, entry.path, entry.reason, entry.eventId, entry.eventType])).toEqual([
        ['RETOUR_EVENT_ENTITY_CONFLICT', path, reason('e1'), 'e2', type],
      ]);
      const rows = await connection.runAndReadAll('SELECT error_code, json_path, message, event_id FROM quarantine');
      expect(rows.getRows()).toEqual([['RETOUR_EVENT_ENTITY_CONFLICT', path, reason('e1'), 'e2']]);
      expect(await count(`SELECT count(*) FROM ${table}`)).toBe(1);
      expect(await count(`SELECT count(*) FROM ${table} WHERE event_id = 'e1'`)).toBe(1);
    });

    it('is a duplicate or quarantined within one batch, against the copy accepted first', async () => {
      const outcome = await ingestBatch(writer, messages([original, resentUnderNewId(original, 'e2'), resentUnderNewId(changed, 'e3'), resentUnderNewId(original, 'e4')]), OPTIONS);
      expectReconciles(outcome);
      expect(outcome).toMatchObject({ consumed: 4, stored: 1, duplicates: 2, storedByType: { [type]: 1 } });
      expect(outcome.quarantined.map((entry) => [entry.code, entry.path, entry.reason])).toEqual([
        ['RETOUR_EVENT_ENTITY_CONFLICT', path, reason('e1').replace('"e1" with', '"e1" earlier in this batch with')],
      ]);
      expect(await count(`SELECT count(*) FROM ${table}`)).toBe(1);
      const duplicates = await connection.runAndReadAll('SELECT event_id, repeat_of FROM ingest_duplicates ORDER BY event_id');
      expect(duplicates.getRows()).toEqual([
        ['e2', 'e1'],
        ['e4', 'e1'],
      ]);
    });

    it('is still an id duplicate or an id conflict when the same event id comes again', async () => {
      await ingestBatch(writer, messages([original]), OPTIONS);
      const outcome = await ingestBatch(writer, messages([original, changed]), OPTIONS);
      expectReconciles(outcome);
      expect(outcome).toMatchObject({ stored: 0, duplicates: 1 });
      expect(outcome.quarantined.map((entry) => entry.code)).toEqual(['RETOUR_EVENT_ID_CONFLICT']);
      const duplicates = await connection.runAndReadAll('SELECT event_id, repeat_of FROM ingest_duplicates');
      expect(duplicates.getRows()).toEqual([['e1', null]]);
    });
  });

  it('decides a replayed id by the id and a copy under a new id by the entity, in the same batch', async () => {
    const order = orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }]);
    await ingestBatch(writer, messages([order]), OPTIONS);
    const changed = orderPlaced('e3', 'o1', [{ lineId: 'l1', quantity: 5, unitPrice: 1500 }]);
    const outcome = await ingestBatch(writer, messages([resentUnderNewId(order, 'e2'), order, changed, orderPlaced('e4', 'o4')]), OPTIONS);
    expectReconciles(outcome);
    expect(outcome).toMatchObject({ stored: 1, duplicates: 2, storedByType: { 'order.placed': 1 } });
    expect(outcome.quarantined.map((entry) => [entry.eventId, entry.code, entry.reason])).toEqual([
      ['e3', 'RETOUR_EVENT_ENTITY_CONFLICT', '$.data.orderId: order "o1" was already placed by event "e1" with other data (first difference at $.data.lines[0].quantity)'],
    ]);
    const duplicates = await connection.runAndReadAll('SELECT event_id, repeat_of FROM ingest_duplicates ORDER BY event_id');
    expect(duplicates.getRows()).toEqual([
      ['e1', null],
      ['e2', 'e1'],
    ]);
    expect(await count('SELECT count(*) FROM orders')).toBe(2);
  });

  it('does not count a copy of an order twice in the refund check of the same batch', async () => {
    const order = orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 1, unitPrice: 1000 }]);
    const outcome = await ingestBatch(writer, messages([order, resentUnderNewId(order, 'e2'), refundIssued('rf1', 'o1', 2000)]), OPTIONS);
    expectReconciles(outcome);
    expect(outcome).toMatchObject({ stored: 1, duplicates: 1 });
    expect(outcome.quarantined.map((entry) => [entry.code, entry.reason])).toEqual([
      ['RETOUR_EVENT_REFERENCE_INVALID', '$.data.amount: refund of 2000 EUR is above the 1000 EUR paid for order "o1" (sum of unitPrice × quantity of its lines)'],
    ]);
  });

  it('compares a later copy with the stored entity when the first copy of the batch was refused', async () => {
    await ingestBatch(writer, messages([orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 1, unitPrice: 1000 }])]), OPTIONS);
    const tooMuch = withData(refundIssued('rf1', 'o1', 5000), { refundId: 'R' });
    const outcome = await ingestBatch(writer, messages([tooMuch, resentUnderNewId(tooMuch, 'rf2'), withData(refundIssued('rf3', 'o1', 900), { refundId: 'R' }), withData(refundIssued('rf4', 'o1', 900), { refundId: 'R' })]), OPTIONS);
    expectReconciles(outcome);
    // Neither refused copy stored the refund, so the second is refused on its own; rf3 stores it, rf4 repeats rf3.
    expect(outcome.quarantined.map((entry) => [entry.eventId, entry.code])).toEqual([
      ['rf1', 'RETOUR_EVENT_REFERENCE_INVALID'],
      ['rf2', 'RETOUR_EVENT_REFERENCE_INVALID'],
    ]);
    expect(outcome).toMatchObject({ stored: 1, duplicates: 1 });
    expect(await count(`SELECT count(*) FROM refunds WHERE refund_id = 'R' AND event_id = 'rf3'`)).toBe(1);
  });

  it('finds entity ids holding quotes, backslashes and non-ASCII characters, in bytes or pretty-printed text', async () => {
    const orderId = 'o "quoted" \\ back — ünï';
    const order = orderPlaced('e1', orderId);
    await ingestBatch(writer, messages([new TextEncoder().encode(JSON.stringify(order))]), OPTIONS);
    const outcome = await ingestBatch(writer, messages([JSON.stringify(resentUnderNewId(order, 'e2'), null, 2)]), OPTIONS);
    expect(outcome).toMatchObject({ stored: 0, duplicates: 1, quarantined: [] });
  });
});

describe('ingestBatch: a delivery, receipt, inspection, closure or feedback re-sent under a new event id', () => {
  describe.each(OCCURRENCES)('$type', ({ type, original, sameTimeOtherData, otherTime, table }) => {
    it('is a duplicate across batches when its data is the same (envelope ignored), naming the event that stored it', async () => {
      expect((await ingestBatch(writer, messages([original]), OPTIONS)).stored).toBe(1);
      const rows = await count(`SELECT count(*) FROM ${table}`);
      const outcome = await ingestBatch(writer, messages([resentUnderNewId(original, 'e2')]), OPTIONS);
      expectReconciles(outcome);
      expect(outcome).toMatchObject({ consumed: 1, stored: 0, duplicates: 1, quarantined: [] });
      expect(await count(`SELECT count(*) FROM ${table}`)).toBe(rows);
      expect(await count('SELECT count(*) FROM events')).toBe(1);
      const duplicates = await connection.runAndReadAll('SELECT event_id, repeat_of, kafka_offset FROM ingest_duplicates');
      expect(duplicates.getRows()).toEqual([['e2', 'e1', 1n]]);
    });

    it('is stored when its data differs, at the same time or another, and a copy of either is a duplicate of it, within one batch', async () => {
      const outcome = await ingestBatch(
        writer,
        messages([
          original,
          resentUnderNewId(original, 'e2'),
          resentUnderNewId(sameTimeOtherData, 'e3'),
          resentUnderNewId(sameTimeOtherData, 'e4'),
          resentUnderNewId(otherTime, 'e5'),
          resentUnderNewId(otherTime, 'e6'),
        ]),
        OPTIONS,
      );
      expectReconciles(outcome);
      expect(outcome).toMatchObject({ consumed: 6, stored: 3, duplicates: 3, quarantined: [], storedByType: { [type]: 3 } });
      expect(await count(`SELECT count(DISTINCT event_id) FROM ${table}`)).toBe(3);
      const duplicates = await connection.runAndReadAll('SELECT event_id, repeat_of FROM ingest_duplicates ORDER BY event_id');
      expect(duplicates.getRows()).toEqual([
        ['e2', 'e1'],
        ['e4', 'e3'],
        ['e6', 'e5'],
      ]);
    });

    it('is compared with every stored event of the same order or return and time, not only the first', async () => {
      await ingestBatch(writer, messages([original, resentUnderNewId(sameTimeOtherData, 'e2')]), OPTIONS);
      const outcome = await ingestBatch(writer, messages([resentUnderNewId(sameTimeOtherData, 'e3'), resentUnderNewId(original, 'e4')]), OPTIONS);
      expectReconciles(outcome);
      expect(outcome).toMatchObject({ stored: 0, duplicates: 2, quarantined: [] });
      const duplicates = await connection.runAndReadAll('SELECT event_id, repeat_of FROM ingest_duplicates ORDER BY event_id');
      expect(duplicates.getRows()).toEqual([
        ['e3', 'e2'],
        ['e4', 'e1'],
      ]);
    });

    it('is still an id duplicate or an id conflict when the same event id comes again', async () => {
      await ingestBatch(writer, messages([original]), OPTIONS);
      const outcome = await ingestBatch(writer, messages([original, sameTimeOtherData]), OPTIONS);
      expectReconciles(outcome);
      expect(outcome).toMatchObject({ stored: 0, duplicates: 1 });
      expect(outcome.quarantined.map((entry) => entry.code)).toEqual(['RETOUR_EVENT_ID_CONFLICT']);
      const duplicates = await connection.runAndReadAll('SELECT event_id, repeat_of FROM ingest_duplicates');
      expect(duplicates.getRows()).toEqual([['e1', null]]);
    });
  });

  it('decides a replayed id by the id and a copy under a new id by its data, in the same batch', async () => {
    const first = returnInspected('i1', 'r1');
    await ingestBatch(writer, messages([first, orderDelivered('d1', 'o1')]), OPTIONS);
    const outcome = await ingestBatch(writer, messages([resentUnderNewId(first, 'i2'), first, orderDelivered('d1', 'o1'), resentUnderNewId(orderDelivered('d1', 'o1'), 'd2'), orderDelivered('d3', 'o1', ['l9'])]), OPTIONS);
    expectReconciles(outcome);
    expect(outcome).toMatchObject({ stored: 1, duplicates: 4, quarantined: [], storedByType: { 'order.delivered': 1 } });
    const duplicates = await connection.runAndReadAll('SELECT event_id, repeat_of FROM ingest_duplicates ORDER BY event_id');
    expect(duplicates.getRows()).toEqual([
      ['d1', null],
      ['d2', 'd1'],
      ['i1', null],
      ['i2', 'i1'],
    ]);
    expect(await count('SELECT count(*) FROM inspections')).toBe(1);
    expect(await count('SELECT count(*) FROM deliveries')).toBe(2);
  });

  it('takes a time written another way for other data: the same instant with another offset is stored', async () => {
    await ingestBatch(writer, messages([orderDelivered('d1', 'o1')]), OPTIONS);
    // orderDelivered says 2026-03-03T10:00:00+01:00; the same instant in UTC is other text, so other data.
    const outcome = await ingestBatch(writer, messages([withData(orderDelivered('d2', 'o1'), { deliveredAt: '2026-03-03T09:00:00Z' })]), OPTIONS);
    expect(outcome).toMatchObject({ stored: 1, duplicates: 0, quarantined: [] });
  });
});
