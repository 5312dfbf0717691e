import { describe, expect, it } from 'vitest';
import { createEventBatchWriter, type RawMessage } from '../../../ingest/ingest-batch.ts';
import { importMessages } from '../../../ingest/import-messages.ts';
import { openQualityDatabase } from '../../../scripts/eval/open-quality-database.ts';

const ORDER = {
  specversion: '1.0', id: 'evt_order', source: 'test', type: 'order.placed', time: '2026-11-02T09:30:00Z',
  data: {
    orderId: 'ord_1', customerId: 'cus_1', placedAt: '2026-11-02T09:30:00Z', currency: 'EUR', channel: 'web',
    lines: [{ lineId: 'l1', productId: 'prd_1', category: 'apparel', quantity: 1, unitPrice: 5990 }],
  },
};
// The simulator emits review decisions in every stream of a few dozen customers or more.
const DECISION = {
  specversion: '1.0', id: 'evt_decision', source: 'risk-console', type: 'risk.decision', time: '2026-11-13T16:20:00Z',
  data: { decisionId: 'dec_1', customerId: 'cus_1', flagId: 'flg_1', decidedAt: '2026-11-13T16:20:00Z', decidedBy: 'analyst', verdict: 'legitimate' },
};

describe('openQualityDatabase', () => {
  it('takes a stream with review decisions through the ingest path (the quality eval and bench import simulator streams)', async () => {
    // Ingest applies stored decisions to risk_flags in the batch's transaction since session 10; without
    // that table the quality eval failed on its first batch with "Table with name risk_flags does not exist".
    const database = await openQualityDatabase(':memory:');
    try {
      const writer = await createEventBatchWriter(await database.connect());
      const messages: RawMessage[] = [ORDER, DECISION].map((event, offset) => ({ topic: 'test:quality-db', partition: 0, offset, value: JSON.stringify(event) }));
      const summary = await importMessages(writer, messages, { batchSize: 100, maxEventBytes: 1 << 16 });
      writer.close();
      expect(summary).toMatchObject({ stored: 2, quarantinedTotal: 0 });
    } finally {
      database.close();
    }
  });
});
