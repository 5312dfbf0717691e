/**
 * A small, fixed data set for the API: 25 flags, three scored customers, one customer's facts and
 * links, quality weeks and alerts, job runs. Used by the API tests and by the schemathesis server.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CustomerRiskSnapshot } from '../../domain/risk/customer-risk-snapshot.ts';

export const FIXTURE_NOW = new Date('2026-11-20T12:00:00Z');
/** The id of a stored API key whose secret nobody has: revoking it locks nobody out. */
export const FIXTURE_REVOCABLE_KEY_ID = 'a11ce0000001';

export function snapshot(customerId: string, overrides: Partial<CustomerRiskSnapshot> = {}): CustomerRiskSnapshot {
  return {
    customerId,
    status: 'scored',
    score: 0.2,
    tier: 'low',
    reasons: [],
    modelVersion: 'm-1',
    computedAt: '2026-11-20T11:00:00.000Z',
    fraudTypeHint: null,
    notDeclared90d: 0,
    usedReturns90d: 0,
    refundsWithoutReceipt365d: 0,
    defectClaimLines365d: 0,
    noFaultFoundShare365d: Number.NaN,
    returnedValue90d: 0,
    accountAgeDays: 400,
    ringSize: 1,
    linkedCustomerIds: [],
    evidenceCount: 0,
    lastReview: null,
    openFlagId: null,
    ...overrides,
  };
}

/** As the risk job would write them on 2026-11-01 for cus_0's facts (one not-declared item, one "not received" claim after delivery). */
const FLG_00_REASONS = JSON.stringify([
  { code: 'NOT_DECLARED_ITEM', text: '1 return inspected as not the declared item in 90 days', weight: 0.55 },
  { code: 'DELIVERED_NOT_RECEIVED', text: '1 order claimed "not received" after the carrier scanned it delivered (365 days)', weight: 0.5 },
  { code: 'MODEL_PATTERN', text: 'model probability 0.62: account_age_days=31, items_returned_365d=1, not_declared_365d=1', weight: 0.62 },
]);

/** 25 flags: flg_00..flg_24, scores 0.99 down by 0.01, with two pairs of equal scores (cursor ties). */
export async function insertFixtures(connection: DuckDBConnection): Promise<void> {
  const flags: string[] = [];
  for (let index = 0; index < 25; index++) {
    const id = `flg_${String(index).padStart(2, '0')}`;
    // flg_05 and flg_06 share a score, as do flg_10..flg_12: ties must not lose or repeat rows.
    const score = index === 6 ? 0.94 : index === 11 || index === 12 ? 0.89 : 0.99 - index * 0.01;
    const tier = score >= 0.8 ? 'high' : 'review';
    const status = index === 24 ? 'dismissed' : 'open';
    const fraudType = index % 2 === 0 ? 'wardrobing' : 'item_swap';
    const opened = new Date(Date.parse('2026-11-01T00:00:00Z') + index * 86_400_000).toISOString();
    // flg_00's reasons are real rules over cus_0's facts below, so its evidence lists them (GET /v1/flags/flg_00).
    const reasons = index === 0 ? FLG_00_REASONS : '[{"code":"NOT_DECLARED","text":"items not declared","weight":0.6}]';
    flags.push(
      `('${id}', 'cus_${index}', '${status}', '${tier}', ${score.toFixed(2)}, '${fraudType}', '${reasons}', 1, '${opened}', '${opened}', NULL, NULL, 'm-1', NULL)`,
    );
  }
  await connection.run(`INSERT INTO risk_flags VALUES ${flags.join(',')}`);
  await connection.run(`INSERT INTO customer_links VALUES
    ('cus_0', 'cus_77', 'address', 'h1', 'ring_1', '2026-11-20T00:00:00Z'),
    ('cus_0', 'cus_77', 'device', 'h2', 'ring_1', '2026-11-20T00:00:00Z'),
    ('cus_77', 'cus_0', 'address', 'h1', 'ring_1', '2026-11-20T00:00:00Z')`);
  await connection.run(`INSERT INTO orders VALUES ('ord_1', 'cus_0', '2026-10-01T10:00:00Z', 'EUR', 'web', 'h1', NULL, 'h2', NULL, 'e1')`);
  await connection.run(`INSERT INTO order_lines VALUES ('ord_1', 'l1', 'cus_0', 'prd_1', 'sel_1', 'apparel', 2, 4999, 'EUR', 'M', NULL, '2026-10-01T10:00:00Z', 'e1')`);
  await connection.run(`INSERT INTO deliveries VALUES ('ord_1', 'cus_0', NULL, '2026-10-03T10:00:00Z', 'e2')`);
  await connection.run(`INSERT INTO return_requests VALUES ('ret_1', 'ord_1', 'cus_0', '2026-10-05T10:00:00Z', 'mail', 'refund', 'e3')`);
  await connection.run(`INSERT INTO return_lines VALUES ('ret_1', 'ord_1', 'cus_0', 'l1', 'prd_1', 1, 'quality.defective', NULL, '2026-10-05T10:00:00Z', 'e3')`);
  await connection.run(`INSERT INTO return_receipts VALUES ('ret_1', 'l1', 1, '2026-10-08T10:00:00Z', 300, 'e4')`);
  await connection.run(`INSERT INTO inspections VALUES ('ret_1', 'l1', '2026-10-09T10:00:00Z', 'X_not_declared_item', 'none_found', 'destroy', 'e5')`);
  await connection.run(`INSERT INTO refunds VALUES ('ref_1', 'ret_1', 'ord_1', 'cus_0', '2026-10-07T10:00:00Z', 4999, 'EUR', 'original_payment', 'e6')`);
  await connection.run(`INSERT INTO claims VALUES ('clm_1', 'ord_1', 'cus_0', '2026-10-04T10:00:00Z', 'not_received', 'e7')`);
  // Three refused messages: bytes that are not UTF-8, a schema violation, and one longer than the API's preview.
  await connection.run(`INSERT INTO quarantine (raw, error_code, json_path, message, event_id, event_type, topic, kafka_partition, kafka_offset, quarantined_at) VALUES
    ('\\xFF\\xFEnot json'::BLOB, 'RETOUR_EVENT_NOT_JSON', '', 'not valid UTF-8 JSON', NULL, NULL, 'retour.returns', 0, 17, '2026-11-18T09:00:00Z'),
    ('{"id":"evt_q2","type":"return.requested","data":{"lines":[{"quantity":-1}]}}'::BLOB, 'RETOUR_EVENT_SCHEMA_INVALID', '$.data.lines[0].quantity', 'must be >= 1', 'evt_q2', 'return.requested', 'retour.returns', 1, 42, '2026-11-19T09:00:00Z'),
    (('{"id":"evt_q3","pad":"' || repeat('x', 5000) || '"}')::BLOB, 'RETOUR_EVENT_ENVELOPE_INVALID', '$.type', 'type is missing', 'evt_q3', NULL, 'retour.orders', 2, 7, '2026-11-20T09:00:00Z')`);
  // A key no test authenticates with, for the admin routes to revoke (FIXTURE_REVOCABLE_KEY_ID).
  await connection.run(`INSERT INTO api_keys VALUES ('${FIXTURE_REVOCABLE_KEY_ID}', 'fixture-hash-of-no-key', 'fixture key to revoke', 'product', '2026-11-01T00:00:00Z', NULL)`);
  await connection.run(`INSERT INTO job_runs (job, started_at, finished_at, status, rows_written) VALUES ('risk', '2026-11-20T10:00:00Z', '2026-11-20T10:00:12.5Z', 'succeeded', 120), ('quality', '2026-11-20T10:01:00Z', NULL, 'running', NULL)`);
  // The model registry: m-1 in service (the snapshots' version), m-2 trained against it and not worse,
  // m-3 worse than m-1 on the same rows, m-0 retired. The forests are stand-ins: no route loads one.
  const metrics = (rocAuc: number, prAuc: number, comparedWith?: { version: string; rocAuc: number; prAuc: number }): string =>
    JSON.stringify({
      roc_auc: rocAuc, pr_auc: prAuc, precision_at_k: { top_1_percent: 1, top_100: 0.9 }, brier: 0.05,
      calibration: [{ lower: 0, upper: 1, count: 1000, meanPredicted: 0.05, observedRate: 0.05 }],
      rows: { training: 4000, training_positive: 200, validation: 1000, validation_positive: 50 },
      ...(comparedWith === undefined ? {} : { serving_comparison: { version: comparedWith.version, roc_auc: comparedWith.rocAuc, pr_auc: comparedWith.prAuc } }),
    });
  const model = (version: string, createdAt: string, metricsJson: string, status: string, promotedAt: string | null): string =>
    `('${version}', '${createdAt}', 'histogram_random_forest', '["account_age_days","not_declared_90d"]', '{}', '2026-03-01T00:00:00Z', '2026-07-01T00:00:00Z',
      '2026-09-01T00:00:00Z', '2026-10-27T00:00:00Z', '${metricsJson}', '${status}', '{"kind":"fixture"}', ${promotedAt === null ? 'NULL' : `'${promotedAt}'`})`;
  await connection.run(`INSERT INTO model_registry VALUES
    ${model('m-0', '2026-11-10T03:00:00Z', metrics(0.85, 0.5), 'retired', '2026-11-10T03:00:00Z')},
    ${model('m-1', '2026-11-17T03:00:00Z', metrics(0.9, 0.6, { version: 'm-0', rocAuc: 0.85, prAuc: 0.5 }), 'serving', '2026-11-17T03:00:00Z')},
    ${model('m-2', '2026-11-18T03:00:00Z', metrics(0.91, 0.62, { version: 'm-1', rocAuc: 0.9, prAuc: 0.6 }), 'candidate', null)},
    ${model('m-3', '2026-11-19T03:00:00Z', metrics(0.88, 0.55, { version: 'm-1', rocAuc: 0.9, prAuc: 0.6 }), 'candidate', null)}`);
  // quality_weekly is a view over quality_weekly_counts (rates and Wilson bounds computed on read);
  // the counts table's layout belongs to the quality job, so rows are built from its columns.
  const columns = (await connection.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_name = 'quality_weekly_counts' ORDER BY ordinal_position`))
    .getRows()
    .map((row) => String(row[0]));
  const reasons: Record<string, number> = { 'quality.defective': 30, 'fit.too_small': 90 };
  const week = (scopeId: string, category: string, seller: string | null, period: string, faultUnits: number, scope = 'product'): string => {
    const known: Record<string, string> = {
      scope: `'${scope}'`, scope_id: `'${scopeId}'`, period_start: `DATE '${period}'`, period_end: `DATE '${period}' + 7`, category: `'${category}'`,
      seller_id: seller === null ? 'NULL' : `'${seller}'`, return_window_days: '30', within_n_days: '14', delivered_units: '1000', returned_units: '120',
      returned_within_n_units: '100', product_fault_units: String(faultUnits), product_fault_within_n_units: String(Math.round(faultUnits * 0.9)),
      claimed_defect_units: '30', confirmed_defect_units: '20', mature: 'true', within_n_complete: 'true', computed_at: `'2026-11-20T00:00:00Z'`,
      reason_units: `MAP {${Object.entries(reasons).map(([reason, units]) => `'${reason}': ${units}`).join(', ')}}`,
    };
    for (const [reason, units] of Object.entries(reasons)) known[`reason_${reason.replace(/\./g, '_')}`] = String(units);
    return `(${columns.map((column) => known[column] ?? (column.startsWith('reason_') ? '0' : 'NULL')).join(', ')})`;
  };
  await connection.run(`INSERT INTO quality_weekly_counts (${columns.join(', ')}) VALUES
    ${week('prd_1', 'apparel', 'sel_1', '2026-11-02', 50)}, ${week('prd_1', 'apparel', 'sel_1', '2026-11-09', 90)},
    ${week('prd_2', 'apparel', 'sel_2', '2026-11-09', 20)}, ${week('prd_3', 'shoes', 'sel_1', '2026-11-09', 40)},
    ${week('apparel', 'apparel', null, '2026-11-09', 55, 'category')}`);
  await connection.run(`INSERT INTO quality_alerts (product_id, category, seller_id, period_start, metric, window_start, window_end, baseline_start, baseline_end,
      baseline_rate, current_rate, current_low, current_high, p_value, q_value, delivered_units, current_units, baseline_units, baseline_events, baseline_reasons,
      status, severity, top_reasons, top_comment_words, first_detected_at, updated_at) VALUES
    ('prd_1', 'apparel', 'sel_1', DATE '2026-11-09', 'product_fault_rate', DATE '2026-11-09', DATE '2026-11-16', DATE '2026-09-14', DATE '2026-11-09', 0.05, 0.09, 0.08, 0.1, 0.0001, 0.001, 1000, 90, 8000, 400, NULL, 'new', 40, '[{"reason":"quality.defective","units":30}]', '[{"word":"broken","count":7}]', '2026-11-16T00:00:00Z', '2026-11-16T00:00:00Z'),
    ('prd_3', 'shoes', 'sel_1', DATE '2026-11-09', 'reason_mix', DATE '2026-11-09', DATE '2026-11-16', DATE '2026-09-14', DATE '2026-11-09', NULL, NULL, NULL, NULL, 0.001, 0.004, 1000, 120, 8000, 900, '{}', 'ongoing', 12.5, '[]', '[]', '2026-11-16T00:00:00Z', '2026-11-16T00:00:00Z')`);
}

/** The snapshots the fixture's hot routes answer from. */
export function fixtureSnapshots(): Map<string, CustomerRiskSnapshot> {
  return new Map([
    ['cus_0', snapshot('cus_0', { score: 0.97, tier: 'high', notDeclared90d: 2, refundsWithoutReceipt365d: 1, reasons: [{ code: 'NOT_DECLARED', text: 'items not declared', weight: 0.6 }], linkedCustomerIds: ['cus_77'], openFlagId: 'flg_00', fraudTypeHint: 'item_swap' })],
    ['cus_low', snapshot('cus_low')],
    ['cus_unscored', snapshot('cus_unscored', { status: 'unscored', score: null, tier: 'unscored', modelVersion: null })],
  ]);
}
