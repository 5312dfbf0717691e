import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { writeTruthTables } from '../../../scripts/eval/write-truth-tables.ts';

describe('writeTruthTables', () => {
  it('writes the customers and the fraudulent returns and claims, a missing fraud type or ring as NULL', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await writeTruthTables(connection, {
        customers: [
          { customerId: 'c1', behaviour: 'false_defect_claimer', fraudType: 'false_defect_claim', accountCreatedAt: '2024-01-01T00:00:00Z', newAccount: false },
          { customerId: 'c2', behaviour: 'ordinary', accountCreatedAt: '2024-02-01T00:00:00Z', newAccount: true },
          { customerId: 'c3', behaviour: 'refund_abuser', fraudType: 'refund_abuse', ringId: 'ring_1', accountCreatedAt: '2024-03-01T00:00:00Z', newAccount: false },
        ],
        fraudulentReturns: [
          {
            returnId: 'r1', customerId: 'c1', orderId: 'o1', fraudType: 'false_defect_claim', requestedAt: '2025-03-01T10:00:00.000Z',
            value: 1000, currency: 'EUR', valueEurCents: 1000, caughtAtInspection: true,
          },
        ],
        fraudulentClaims: [{ claimId: 'k1', customerId: 'c3', orderId: 'o3', fraudType: 'claim_abuse', openedAt: '2025-04-02T08:30:00.000Z' }],
      });
      const customers = (await connection.runAndReadAll('SELECT customer_id, behaviour, fraud_type, ring_id FROM eval_truth_customers ORDER BY customer_id')).getRows();
      expect(customers).toEqual([
        ['c1', 'false_defect_claimer', 'false_defect_claim', null],
        ['c2', 'ordinary', null, null],
        ['c3', 'refund_abuser', 'refund_abuse', 'ring_1'],
      ]);
      const returns = (await connection.runAndReadAll("SELECT return_id, customer_id, fraud_type, epoch_ms(requested_at), caught_at_inspection FROM eval_truth_fraudulent_returns")).getRows();
      expect(returns).toEqual([['r1', 'c1', 'false_defect_claim', BigInt(Date.parse('2025-03-01T10:00:00.000Z')), true]]);
      const claims = (await connection.runAndReadAll('SELECT claim_id, customer_id, fraud_type, epoch_ms(opened_at) FROM eval_truth_fraudulent_claims')).getRows();
      expect(claims).toEqual([['k1', 'c3', 'claim_abuse', BigInt(Date.parse('2025-04-02T08:30:00.000Z'))]]);
      // No staging table is left behind.
      const tables = (await connection.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'eval_truth%' ORDER BY table_name")).getRows();
      expect(tables).toEqual([['eval_truth_customers'], ['eval_truth_fraudulent_claims'], ['eval_truth_fraudulent_returns']]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
