import type { DuckDBConnection } from '@duckdb/node-api';
import type { CustomerReview, CustomerRiskSnapshot } from '../../domain/risk/customer-risk-snapshot.ts';

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * Loads every customer's latest score, request-time features, linked accounts and open flag into a
 * Map, for the API's hot path: build it after each risk run and swap the whole Map atomically.
 *
 * Read column by column from DuckDB's chunks, not as row arrays: the repeated strings (tier, status,
 * model version, computed_at, reasons JSON) come as codes into a dictionary read once, so each
 * distinct reasons text is parsed once and its array shared (read-only) by every customer with the
 * same reasons — 1M customers as row arrays with a JSON.parse each took 42 s, mostly garbage.
 *
 * @example
 * const snapshots = await loadRiskSnapshots(connection);
 * scoreProposedReturn(snapshots.get(customerId), request);
 */
export async function loadRiskSnapshots(connection: DuckDBConnection): Promise<Map<string, CustomerRiskSnapshot>> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE risk_snapshot_strings AS
    SELECT value, (row_number() OVER (ORDER BY value) - 1)::INTEGER AS code
    FROM (
      SELECT status AS value FROM customer_scores UNION SELECT tier FROM customer_scores UNION SELECT reasons FROM customer_scores
      UNION SELECT model_version FROM customer_scores UNION SELECT fraud_type_hint FROM customer_scores
      UNION SELECT strftime(computed_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') FROM customer_scores
    ) WHERE value IS NOT NULL`);
  try {
    const strings: string[] = [];
    for (const [value, code] of (await connection.runAndReadAll('SELECT value, code FROM risk_snapshot_strings')).getRowsJS()) strings[Number(code)] = String(value);
    const parsedReasons = new Map<number, CustomerRiskSnapshot['reasons']>();
    const reasonsOf = (code: number): CustomerRiskSnapshot['reasons'] => {
      let reasons = parsedReasons.get(code);
      if (reasons === undefined) {
        const text = strings[code]!;
        reasons = text === '[]' ? EMPTY : Object.freeze((JSON.parse(text) as CustomerRiskSnapshot['reasons']).map((reason) => Object.freeze(reason)));
        parsedReasons.set(code, reasons);
      }
      return reasons;
    };
    const code = (column: string): string => `(SELECT code FROM risk_snapshot_strings d WHERE d.value = ${column})`;
    const result = await connection.stream(`
      WITH links AS (
        SELECT customer_id, list(DISTINCT linked_customer_id ORDER BY linked_customer_id) AS linked FROM customer_links GROUP BY customer_id
      ),
      open_flags AS (SELECT customer_id, min(flag_id) AS flag_id FROM risk_flags WHERE status = 'open' GROUP BY customer_id),
      -- The latest review: the verdict on the most recently decided flag (an expired flag was not
      -- reviewed). A decided flag's updated_at is its latest decision's time (a correction moves it).
      reviews AS (
        SELECT customer_id, arg_max(status, updated_at) AS outcome, max(updated_at) AS decided_at, arg_max(evidence_count, updated_at) AS evidence_count
        FROM risk_flags WHERE status IN ('confirmed', 'dismissed') GROUP BY customer_id
      )
      SELECT s.customer_id, ${code('s.status')}, s.score, ${code('s.tier')}, ${code('s.reasons')}, ${code('s.model_version')},
        ${code(`strftime(s.computed_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`)}, ${code('s.fraud_type_hint')},
        f.not_declared_90d, f.used_returns_90d, f.refunds_without_receipt_365d, f.defect_claim_lines_365d, f.no_fault_found_share_365d,
        f.returned_value_90d, f.account_age_days, f.ring_size, l.linked, o.flag_id,
        -- The review columns as plain text: only reviewed customers have them, few next to all scored ones.
        s.evidence_count, r.outcome, strftime(r.decided_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'), r.evidence_count
      FROM customer_scores s
      LEFT JOIN customer_features f USING (customer_id)
      LEFT JOIN links l USING (customer_id)
      LEFT JOIN open_flags o USING (customer_id)
      LEFT JOIN reviews r USING (customer_id)`);
    const snapshots = new Map<string, CustomerRiskSnapshot>();
    const text = (value: unknown): string | null => (value === null ? null : strings[value as number]!);
    const num = (value: unknown): number => (value === null ? Number.NaN : (value as number));
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const columns = Array.from({ length: 22 }, (_, index) => chunk.getColumnVector(index));
      const [customerIds, statuses, scores, tiers, reasons, modelVersions, computedAts, fraudTypes, notDeclared, used, noReceipt, defectLines, noFaultShare, returnedValue, accountAge, ringSize, linked, openFlags, evidenceCounts, reviewOutcomes, reviewedAts, reviewEvidence] =
        columns;
      for (let row = 0; row < chunk.rowCount; row++) {
        const customerId = customerIds!.getItem(row) as string;
        const links = linked!.getItem(row) as { items: readonly unknown[] } | null;
        const ring = ringSize!.getItem(row);
        const flag = openFlags!.getItem(row);
        const reviewOutcome = reviewOutcomes!.getItem(row) as string | null;
        snapshots.set(customerId, {
          customerId,
          status: text(statuses!.getItem(row)) as CustomerRiskSnapshot['status'],
          score: scores!.getItem(row) as number | null,
          tier: text(tiers!.getItem(row)) as CustomerRiskSnapshot['tier'],
          reasons: reasonsOf(reasons!.getItem(row) as number),
          modelVersion: text(modelVersions!.getItem(row)),
          computedAt: text(computedAts!.getItem(row))!,
          fraudTypeHint: text(fraudTypes!.getItem(row)),
          notDeclared90d: num(notDeclared!.getItem(row)),
          usedReturns90d: num(used!.getItem(row)),
          refundsWithoutReceipt365d: num(noReceipt!.getItem(row)),
          defectClaimLines365d: num(defectLines!.getItem(row)),
          noFaultFoundShare365d: num(noFaultShare!.getItem(row)),
          returnedValue90d: num(returnedValue!.getItem(row)),
          accountAgeDays: num(accountAge!.getItem(row)),
          ringSize: ring === null ? 1 : (ring as number),
          linkedCustomerIds: links === null ? EMPTY : links.items.map(String),
          openFlagId: flag === null ? null : String(flag),
          evidenceCount: Number(evidenceCounts!.getItem(row)),
          lastReview:
            reviewOutcome === null
              ? null
              : { outcome: reviewOutcome as CustomerReview['outcome'], decidedAt: reviewedAts!.getItem(row) as string, evidenceCount: Number(reviewEvidence!.getItem(row)) },
        });
      }
    }
    return snapshots;
  } finally {
    await connection.run('DROP TABLE IF EXISTS risk_snapshot_strings');
  }
}
