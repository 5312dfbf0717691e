import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { readCsvImport } from '../../../ingest/csv/read-csv-import.ts';
import { createEventBatchWriter, decodeBatch, type EventBatchWriter } from '../../../ingest/ingest-batch.ts';
import { importMessages } from '../../../ingest/import-messages.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';

const MAPPING = JSON.stringify({
  format: 'retour-csv-mapping/1',
  source: 'test-backfill',
  idNamespace: 'test',
  rules: [
    {
      name: 'sale',
      action: 'emit',
      groupBy: ['Invoice'],
      emit: [
        {
          type: 'order.placed',
          time: 'placedAt',
          data: {
            orderId: { template: 'o-{Invoice}' },
            customerId: { template: 'c-{Customer}', ifMissing: { template: 'guest-{Invoice}' } },
            placedAt: { column: 'When', as: 'timestamp', format: 'YYYY-MM-DD HH:mm' },
            currency: { const: 'GBP' },
            lines: { uniqueKey: 'lineId', rows: { lineId: { column: 'Sku' }, productId: { column: 'Sku' }, category: { const: 'misc' }, quantity: { column: 'Qty', as: 'integer' }, unitPrice: { column: 'Price', as: 'money', decimals: 2 } } },
          },
        },
      ],
    },
  ],
});

const CSV = [
  'Invoice,Sku,Description,Qty,When,Price,Customer',
  '900001,A,Mug,1,2011-06-01 12:00,2.95,17',
  '900001 ,B,Plate,2,2011-06-01 12:00,1.50,17',
  '900002,A,"Mug, large",1,2011-06-01 12:00,3.95,18',
  '900002,B,Plate, blue,1,2011-06-01 12:00,1.50,18',
  '900003,A,Mug,1,2011-06-01 12:00',
  '',
].join('\n');

let database: Database;
let connection: DuckDBConnection;
let writer: EventBatchWriter;

beforeEach(async () => {
  database = await openDatabase({ path: ':memory:' });
  connection = await database.connect();
  writer = await createEventBatchWriter(connection);
});

afterEach(() => {
  writer.close();
  database.close();
});

describe('readCsvImport → ingest', () => {
  it('quarantines the event of a group with a ragged row, keeping the row text, and imports the rest; trimmed keys make one order', async () => {
    const { messages } = readCsvImport({ csvText: CSV, mappingText: MAPPING, topic: 'import:sales.csv' });
    const summary = await importMessages(writer, messages, { batchSize: 100, maxEventBytes: 65536 });
    expect(summary).toMatchObject({ consumed: 3, stored: 1, quarantinedTotal: 2, quarantined: { RETOUR_EVENT_SCHEMA_INVALID: 2 } });
    const orders = await connection.runAndReadAll(`SELECT order_id, customer_id, string_agg(line_id, ',' ORDER BY line_id) FROM order_lines GROUP BY ALL`);
    expect(orders.getRows()).toEqual([['o-900001', 'c-17', 'A,B']]);
    const quarantined = await connection.runAndReadAll(
      `SELECT kafka_offset::INTEGER, decode(raw), error_code, json_path, message, event_type, event_id IS NOT NULL FROM quarantine ORDER BY kafka_offset`,
    );
    expect(quarantined.getRows()).toEqual([
      [4, '900002,B,Plate, blue,1,2011-06-01 12:00,1.50,18', 'RETOUR_EVENT_SCHEMA_INVALID', '$', '$: CSV line 5 has 8 fields, the header has 7: the order.placed of its group (rule "sale", "900002") is not mapped', 'order.placed', true],
      [6, '900003,A,Mug,1,2011-06-01 12:00', 'RETOUR_EVENT_SCHEMA_INVALID', '$', '$: CSV line 6 has 5 fields, the header has 7: the order.placed of its group (rule "sale", "900003") is not mapped', 'order.placed', true],
    ]);
    // Importing again quarantines nothing twice.
    const again = await importMessages(writer, readCsvImport({ csvText: CSV, mappingText: MAPPING, topic: 'import:sales.csv' }).messages, { batchSize: 100, maxEventBytes: 65536 });
    expect(again).toMatchObject({ duplicates: 1, quarantinedTotal: 2 });
    expect((await connection.runAndReadAll('SELECT count(*)::INTEGER FROM quarantine')).getRows()).toEqual([[2]]);
  });

  it('decodeBatch honours a rejection decided before decoding, whatever the value holds', () => {
    const rejection = { code: 'RETOUR_EVENT_SCHEMA_INVALID' as const, path: '$', message: '$: decided upstream' };
    const [decoded] = decodeBatch([{ topic: 't', partition: 0, offset: 0, value: '{"not":"an event"}', rejection }], { maxEventBytes: 1000 });
    expect(decoded).toEqual({ ok: false, rejection });
  });
});
