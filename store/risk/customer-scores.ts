import { DuckDBDataChunk, DOUBLE, INTEGER, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';

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

/** Rows per appended data chunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

/** risk_score_rows: strings are dictionary codes (risk_score_strings), so a chunk is numbers only. */
const ROW_COLUMNS = [
  ['target_id', INTEGER], ['score', DOUBLE], ['tier', INTEGER], ['status', INTEGER], ['reasons', INTEGER], ['fraud_type_hint', INTEGER],
  ['model_score', DOUBLE], ['rule_score', DOUBLE], ['evidence_count', INTEGER], ['unscored_reason', INTEGER], ['model_version', INTEGER],
] as const;

/**
 * Collects one score per `risk_targets` row and replaces `customer_features` and `customer_scores` in
 * one transaction, so readers never see a half-written run.
 *
 * Rows go through an Appender as whole data chunks of numbers: each distinct string (tier, reasons
 * JSON, …) is appended once to a dictionary and rows carry its code — a million customers share a
 * few thousand distinct reason texts, and one native call per string value was most of the write.
 * The tables are then brought in line by key (update the customers already there, delete the ones
 * gone, insert the new ones) instead of DELETE + INSERT of every row: re-inserting a million keys that
 * were deleted in the same transaction rebuilds the primary-key index and took ~20 s.
 */
export class CustomerScoreWriter {
  private readonly dictionary = new Map<string, number>();
  private columns: (number | null)[][] = ROW_COLUMNS.map(() => []);
  private closed = false;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly appender: DuckDBAppender,
  ) {}

  static async open(connection: DuckDBConnection): Promise<CustomerScoreWriter> {
    await connection.run(`CREATE OR REPLACE TEMP TABLE risk_score_rows (${ROW_COLUMNS.map(([name]) => `${name} ${name === 'score' || name === 'model_score' || name === 'rule_score' ? 'DOUBLE' : 'INTEGER'}`).join(', ')})`);
    return new CustomerScoreWriter(connection, await connection.createAppender('risk_score_rows'));
  }

  private code(value: string | null): number | null {
    if (value === null) return null;
    let code = this.dictionary.get(value);
    if (code === undefined) {
      code = this.dictionary.size;
      this.dictionary.set(value, code);
    }
    return code;
  }

  append(targetId: number, score: CustomerScoreRow): void {
    if (!(Number.isInteger(targetId) && targetId >= 0 && targetId <= 0x7fffffff)) throw new RangeError(`targetId must be an integer in [0, 2^31), got ${targetId}`);
    const c = this.columns;
    c[0]!.push(targetId);
    c[1]!.push(score.score);
    c[2]!.push(this.code(score.tier));
    c[3]!.push(this.code(score.status));
    c[4]!.push(this.code(score.reasons.length === 0 ? '[]' : JSON.stringify(score.reasons)));
    c[5]!.push(this.code(score.fraudTypeHint));
    c[6]!.push(score.modelScore);
    c[7]!.push(score.ruleScore);
    c[8]!.push(score.evidenceCount);
    c[9]!.push(this.code(score.unscoredReason));
    c[10]!.push(this.code(score.modelVersion));
    if (c[0]!.length === CHUNK_ROWS) this.flushChunk();
  }

  private flushChunk(): void {
    if (this.columns[0]!.length === 0) return;
    const chunk = DuckDBDataChunk.create(ROW_COLUMNS.map(([, type]) => type));
    chunk.setColumns(this.columns);
    this.appender.appendDataChunk(chunk);
    this.columns = ROW_COLUMNS.map(() => []);
  }

  private async closeAppender(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flushChunk();
    this.appender.flushSync();
    this.appender.closeSync();
    await this.connection.run('CREATE OR REPLACE TEMP TABLE risk_score_strings (code INTEGER, value VARCHAR)');
    const strings = await this.connection.createAppender('risk_score_strings');
    try {
      for (const [value, code] of this.dictionary) {
        strings.appendInteger(code);
        strings.appendVarchar(value);
        strings.endRow();
      }
      strings.flushSync();
    } finally {
      strings.closeSync();
    }
  }

  /** Replaces customer_features (from risk_feature_rows) and customer_scores; returns the scores written. */
  async commit(computedAt: Date): Promise<number> {
    await this.closeAppender();
    const connection = this.connection;
    const at = { computedAt: computedAt.toISOString() };
    const decoded = (column: string): string => `(SELECT value FROM risk_score_strings d WHERE d.code = s.${column})`;
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE risk_score_final AS
       SELECT t.customer_id, s.score, ${decoded('tier')} AS tier, ${decoded('status')} AS status, ${decoded('reasons')} AS reasons,
         ${decoded('model_version')} AS model_version, $computedAt::TIMESTAMPTZ AS computed_at, ${decoded('fraud_type_hint')} AS fraud_type_hint,
         s.model_score, s.rule_score, s.evidence_count, ${decoded('unscored_reason')} AS unscored_reason
       FROM risk_score_rows s JOIN risk_targets t ON t.target_id = s.target_id`,
      at,
    );
    // Features the stored table has no column for yet (added to the model before a migration adds
    // the column) are scored with but not stored.
    const stored = new Set((await connection.runAndReadAll("SELECT column_name FROM duckdb_columns() WHERE table_name = 'customer_features' AND schema_name = 'main'")).getRows().map((row) => String(row[0])));
    const computed = (await connection.runAndReadAll('SELECT * FROM risk_feature_rows LIMIT 0')).columnNames();
    const featureColumns = computed.filter((name) => name !== 'customer_id' && stored.has(name));
    await connection.run(`CREATE OR REPLACE TEMP TABLE risk_feature_final AS SELECT customer_id, ${featureColumns.join(', ')}, $computedAt::TIMESTAMPTZ AS computed_at FROM risk_feature_rows`, at);
    await connection.run('BEGIN TRANSACTION');
    try {
      await replaceByCustomer(connection, 'customer_features', 'risk_feature_final', [...featureColumns, 'computed_at']);
      await replaceByCustomer(connection, 'customer_scores', 'risk_score_final', [
        'score', 'tier', 'status', 'reasons', 'model_version', 'computed_at', 'fraud_type_hint', 'model_score', 'rule_score', 'evidence_count', 'unscored_reason',
      ]);
      await connection.run('COMMIT');
    } catch (error: unknown) {
      await connection.run('ROLLBACK');
      throw error;
    }
    const written = Number((await connection.runAndReadAll('SELECT count(*)::BIGINT FROM risk_score_final')).getRows()[0]![0]);
    for (const table of ['risk_score_rows', 'risk_score_strings', 'risk_score_final', 'risk_feature_final']) await connection.run(`DROP TABLE IF EXISTS ${table}`);
    return written;
  }
}

/**
 * Makes `table` (keyed by customer_id) hold exactly the rows of `source`: updates the customers in
 * both, deletes those only in `table`, inserts those only in `source`. No key is deleted and
 * re-inserted, so the primary-key index is only touched for customers who come or go.
 */
async function replaceByCustomer(connection: DuckDBConnection, table: string, source: string, columns: readonly string[]): Promise<void> {
  await connection.run(`DELETE FROM ${table} WHERE customer_id NOT IN (SELECT customer_id FROM ${source})`);
  await connection.run(`UPDATE ${table} SET ${columns.map((column) => `${column} = s.${column}`).join(', ')} FROM ${source} s WHERE s.customer_id = ${table}.customer_id`);
  await connection.run(`INSERT INTO ${table} BY NAME SELECT s.* FROM ${source} s ANTI JOIN ${table} t ON t.customer_id = s.customer_id`);
}
