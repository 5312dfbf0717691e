import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * One customer's latest risk state as stored. It has the shape of models/risk's CustomerRiskSnapshot,
 * so the API passes it straight to scoreProposedReturn (test/store/risk checks the two agree).
 */
export interface StoredRiskSnapshot {
  readonly customerId: string;
  readonly status: 'scored' | 'unscored';
  readonly score: number | null;
  readonly tier: 'low' | 'review' | 'high' | 'unscored';
  readonly reasons: readonly { readonly code: string; readonly text: string; readonly weight: number }[];
  readonly modelVersion: string | null;
  readonly computedAt: string;
  readonly fraudTypeHint: string | null;
  readonly notDeclared90d: number;
  readonly usedReturns90d: number;
  readonly refundsWithoutReceipt365d: number;
  readonly defectClaimLines365d: number;
  readonly noFaultFoundShare365d: number;
  readonly returnedValue90d: number;
  readonly accountAgeDays: number;
  readonly ringSize: number;
  readonly linkedCustomerIds: readonly string[];
  readonly openFlagId: string | null;
}

const num = (value: unknown): number => (value === null || value === undefined ? Number.NaN : Number(value));

/**
 * Loads every customer's latest score, request-time features, linked accounts and open flag into a
 * Map, for the API's hot path: build it after each risk run and swap the whole Map atomically.
 *
 * @example
 * const snapshots = await loadRiskSnapshots(connection);
 * scoreProposedReturn(snapshots.get(customerId), request);
 */
export async function loadRiskSnapshots(connection: DuckDBConnection): Promise<Map<string, StoredRiskSnapshot>> {
  const reader = await connection.runAndReadAll(`
    WITH links AS (
      SELECT customer_id, list(DISTINCT linked_customer_id ORDER BY linked_customer_id) AS linked FROM customer_links GROUP BY customer_id
    ),
    open_flags AS (SELECT customer_id, min(flag_id) AS flag_id FROM risk_flags WHERE status = 'open' GROUP BY customer_id)
    SELECT s.customer_id, s.status, s.score, s.tier, s.reasons, s.model_version, strftime(s.computed_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'), s.fraud_type_hint,
      f.not_declared_90d, f.used_returns_90d, f.refunds_without_receipt_365d, f.defect_claim_lines_365d, f.no_fault_found_share_365d,
      f.returned_value_90d, f.account_age_days, f.ring_size, l.linked, o.flag_id
    FROM customer_scores s
    LEFT JOIN customer_features f USING (customer_id)
    LEFT JOIN links l USING (customer_id)
    LEFT JOIN open_flags o USING (customer_id)`);
  const snapshots = new Map<string, StoredRiskSnapshot>();
  for (const row of reader.getRowsJS()) {
    const customerId = String(row[0]);
    snapshots.set(customerId, {
      customerId,
      status: String(row[1]) as StoredRiskSnapshot['status'],
      score: row[2] === null ? null : Number(row[2]),
      tier: String(row[3]) as StoredRiskSnapshot['tier'],
      reasons: JSON.parse(String(row[4])) as StoredRiskSnapshot['reasons'],
      modelVersion: row[5] === null ? null : String(row[5]),
      computedAt: String(row[6]),
      fraudTypeHint: row[7] === null ? null : String(row[7]),
      notDeclared90d: num(row[8]),
      usedReturns90d: num(row[9]),
      refundsWithoutReceipt365d: num(row[10]),
      defectClaimLines365d: num(row[11]),
      noFaultFoundShare365d: num(row[12]),
      returnedValue90d: num(row[13]),
      accountAgeDays: num(row[14]),
      ringSize: row[15] === null ? 1 : Number(row[15]),
      linkedCustomerIds: row[16] === null ? [] : (row[16] as unknown[]).map(String),
      openFlagId: row[17] === null ? null : String(row[17]),
    });
  }
  return snapshots;
}
