import type { DuckDBConnection } from '@duckdb/node-api';

/** One customer's score as written (models/risk/score-customer-risk.ts's CustomerRiskScore fits it). */
export interface CustomerScoreRow {
  readonly status: 'scored' | 'unscored';
  readonly score: number | null;
  readonly tier: string;
  readonly reasons: readonly { readonly code: string; readonly text: string; readonly weight: number }[];
  readonly fraudTypeHint: string | null;
  readonly modelScore: number | null;
  readonly ruleScore: number;
  readonly modelVersion: string | null;
  readonly evidenceCount: number;
  readonly unscoredReason: string | null;
}

/**
 * Collects one score per `risk_targets` row and replaces `customer_features` and `customer_scores` in
 * one transaction, so readers never see a half-written run. Rows go through an Appender into a
 * temporary table, then one INSERT … SELECT joins them to their customers.
 */
export class CustomerScoreWriter {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly appender: Awaited<ReturnType<DuckDBConnection['createAppender']>>,
  ) {}

  static async open(connection: DuckDBConnection): Promise<CustomerScoreWriter> {
    await connection.run(`CREATE OR REPLACE TEMP TABLE risk_score_rows (
      target_id BIGINT, score DOUBLE, tier VARCHAR, status VARCHAR, reasons VARCHAR, fraud_type_hint VARCHAR,
      model_score DOUBLE, rule_score DOUBLE, evidence_count INTEGER, unscored_reason VARCHAR, model_version VARCHAR)`);
    return new CustomerScoreWriter(connection, await connection.createAppender('risk_score_rows'));
  }

  append(targetId: number, score: CustomerScoreRow): void {
    const a = this.appender;
    a.appendBigInt(BigInt(targetId));
    if (score.score === null) a.appendNull();
    else a.appendDouble(score.score);
    a.appendVarchar(score.tier);
    a.appendVarchar(score.status);
    a.appendVarchar(score.reasons.length === 0 ? '[]' : JSON.stringify(score.reasons));
    if (score.fraudTypeHint === null) a.appendNull();
    else a.appendVarchar(score.fraudTypeHint);
    if (score.modelScore === null) a.appendNull();
    else a.appendDouble(score.modelScore);
    a.appendDouble(score.ruleScore);
    a.appendInteger(score.evidenceCount);
    if (score.unscoredReason === null) a.appendNull();
    else a.appendVarchar(score.unscoredReason);
    if (score.modelVersion === null) a.appendNull();
    else a.appendVarchar(score.modelVersion);
    a.endRow();
  }

  /** Replaces customer_features (from risk_feature_rows) and customer_scores; returns the scores written. */
  async commit(computedAt: Date): Promise<number> {
    this.appender.flushSync();
    this.appender.closeSync();
    const connection = this.connection;
    const at = { computedAt: computedAt.toISOString() };
    await connection.run('BEGIN TRANSACTION');
    try {
      await connection.run('DELETE FROM customer_features');
      await connection.run('INSERT INTO customer_features BY NAME SELECT * EXCLUDE (target_id), $computedAt::TIMESTAMPTZ AS computed_at FROM risk_feature_rows', at);
      await connection.run('DELETE FROM customer_scores');
      await connection.run(
        `INSERT INTO customer_scores BY NAME
         SELECT t.customer_id, s.score, s.tier, s.status, s.reasons, s.model_version, $computedAt::TIMESTAMPTZ AS computed_at, s.fraud_type_hint,
           s.model_score, s.rule_score, s.evidence_count, s.unscored_reason
         FROM risk_score_rows s JOIN risk_targets t USING (target_id)`,
        at,
      );
      await connection.run('COMMIT');
    } catch (error: unknown) {
      await connection.run('ROLLBACK');
      throw error;
    }
    const written = Number((await connection.runAndReadAll('SELECT count(*)::BIGINT FROM risk_score_rows')).getRows()[0]![0]);
    await connection.run('DROP TABLE IF EXISTS risk_score_rows');
    return written;
  }
}
