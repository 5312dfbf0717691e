/**
 * The flag lifecycle over several closed flags of one customer: what holds a new flag back is the
 * last *decision* (confirmed or dismissed); an expired flag in between was never decided.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updateRiskFlags } from '../../../jobs/risk/update-risk-flags.ts';
import type { Database } from '../../../store/open-database.ts';
import { listFlags } from '../../../store/risk/risk-flags.ts';
import { openRiskTestDatabase } from '../../store/risk/open-risk-test-database.ts';

let database: Database;
let connection: DuckDBConnection;
beforeEach(async () => {
  database = await openRiskTestDatabase();
  connection = await database.connect();
});
afterEach(() => database.close());

/** `modelVersion` null: rules only (no model in service). */
async function score(customerId: string, tier: string, value: number, evidenceCount: number, modelVersion: string | null = null): Promise<void> {
  await connection.run(
    `INSERT OR REPLACE INTO customer_scores (customer_id, score, tier, status, reasons, model_version, computed_at, fraud_type_hint, model_score, rule_score, evidence_count, unscored_reason)
     VALUES ($customerId, $value, $tier, 'scored', '[]', $modelVersion, '2026-03-01T00:00:00Z', NULL, NULL, $value, $evidenceCount, NULL)`,
    { customerId, value, tier, evidenceCount, modelVersion },
  );
}

async function closedFlag(
  flagId: string,
  customerId: string,
  status: 'dismissed' | 'confirmed' | 'expired',
  value: number,
  evidenceCount: number,
  closedAt: string,
  modelVersion: string | null = null,
): Promise<void> {
  await connection.run(
    `INSERT INTO risk_flags VALUES ($flagId, $customerId, $status, 'review', $value, NULL, '[]', $evidenceCount, $closedAt::TIMESTAMPTZ - INTERVAL 1 DAY, $closedAt::TIMESTAMPTZ,
       $closedAt::TIMESTAMPTZ, $decisionId, $modelVersion, $closedAt::TIMESTAMPTZ)`,
    { flagId, customerId, status, value, evidenceCount, closedAt, decisionId: status === 'expired' ? null : `d_${flagId}`, modelVersion },
  );
}

describe('updateRiskFlags after an expired flag', () => {
  it('does not requeue a customer dismissed on the same evidence because a later flag expired unreviewed', async () => {
    // Dismissed at 0.60 on 2 pieces of evidence; reflagged when the score rose to 0.80 (+0.15 or more);
    // that flag expired when the score fell to low; now back at 0.60 on the same 2 pieces of evidence.
    await closedFlag('f_dismissed', 'honest', 'dismissed', 0.6, 2, '2026-01-10T00:00:00Z');
    await closedFlag('f_expired', 'honest', 'expired', 0.8, 2, '2026-02-10T00:00:00Z');
    await score('honest', 'review', 0.6, 2);
    expect(await updateRiskFlags(connection, new Date('2026-03-01T00:00:00Z'))).toMatchObject({ opened: 0, keptClosed: 1 });
    expect(await listFlags(connection, { customerId: 'honest', status: 'open' })).toEqual([]);
  });

  it('still reopens after an expired flag when the evidence grew or the score rose since the decision', async () => {
    await closedFlag('f_dismissed', 'grew', 'dismissed', 0.6, 2, '2026-01-10T00:00:00Z');
    await closedFlag('f_expired', 'grew', 'expired', 0.8, 3, '2026-02-10T00:00:00Z');
    await score('grew', 'review', 0.6, 3);
    await closedFlag('f_dismissed2', 'rose', 'dismissed', 0.55, 2, '2026-01-10T00:00:00Z');
    await closedFlag('f_expired2', 'rose', 'expired', 0.8, 2, '2026-02-10T00:00:00Z');
    await score('rose', 'high', 0.8, 2);
    await closedFlag('f_expired3', 'never_decided', 'expired', 0.9, 4, '2026-02-10T00:00:00Z');
    await score('never_decided', 'review', 0.6, 1);
    expect(await updateRiskFlags(connection, new Date('2026-03-01T00:00:00Z'))).toMatchObject({ opened: 3, keptClosed: 0 });
    expect((await listFlags(connection, { status: 'open' })).map((flag) => flag.customerId).sort()).toEqual(['grew', 'never_decided', 'rose']);
  });
});

describe('updateRiskFlags after a model change', () => {
  it('does not requeue a dismissed customer whose score rose only because another model scores it', async () => {
    // Both dismissed at 0.55 on 2 pieces of evidence under rf-v1; both now at 0.72 on the same evidence.
    await closedFlag('f_model_changed', 'rescored', 'dismissed', 0.55, 2, '2026-01-10T00:00:00Z', 'rf-v1');
    await score('rescored', 'review', 0.72, 2, 'rf-v2');
    await closedFlag('f_same_model', 'worse', 'dismissed', 0.55, 2, '2026-01-10T00:00:00Z', 'rf-v1');
    await score('worse', 'review', 0.72, 2, 'rf-v1');
    // Under the new model, new hard evidence still reopens.
    await closedFlag('f_new_evidence', 'evidence', 'dismissed', 0.55, 2, '2026-01-10T00:00:00Z', 'rf-v1');
    await score('evidence', 'review', 0.72, 3, 'rf-v2');
    expect(await updateRiskFlags(connection, new Date('2026-03-01T00:00:00Z'))).toMatchObject({ opened: 2, keptClosed: 1 });
    expect((await listFlags(connection, { status: 'open' })).map((flag) => flag.customerId).sort()).toEqual(['evidence', 'worse']);
  });
});
