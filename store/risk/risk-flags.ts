import { listValue, LIST, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { RetourError } from '../../domain/errors/retour-error.ts';
import type { Verdict } from '../../domain/events/vocabulary.ts';
import { LATEST_DECISION_FIRST } from './effective-decisions.ts';

export type RiskFlagStatus = 'open' | 'confirmed' | 'dismissed' | 'expired';

export interface RiskFlag {
  readonly flagId: string;
  readonly customerId: string;
  readonly status: RiskFlagStatus;
  readonly tier: string;
  readonly score: number;
  readonly fraudType: string | null;
  readonly reasons: unknown;
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly closedAt: string | null;
  readonly decisionId: string | null;
}

const FLAG_COLUMNS = 'flag_id, customer_id, status, tier, score, fraud_type, reasons, opened_at::VARCHAR, updated_at::VARCHAR, closed_at::VARCHAR, decision_id';

function toFlag(row: readonly unknown[]): RiskFlag {
  return {
    flagId: String(row[0]),
    customerId: String(row[1]),
    status: String(row[2]) as RiskFlagStatus,
    tier: String(row[3]),
    score: Number(row[4]),
    fraudType: row[5] === null ? null : String(row[5]),
    reasons: JSON.parse(String(row[6])),
    openedAt: String(row[7]),
    updatedAt: String(row[8]),
    closedAt: row[9] === null ? null : String(row[9]),
    decisionId: row[10] === null ? null : String(row[10]),
  };
}

export async function getFlag(connection: DuckDBConnection, flagId: string): Promise<RiskFlag | undefined> {
  const row = (await connection.runAndReadAll(`SELECT ${FLAG_COLUMNS} FROM risk_flags WHERE flag_id = $flagId`, { flagId })).getRows()[0];
  return row === undefined ? undefined : toFlag(row);
}

export async function listFlags(connection: DuckDBConnection, filter: { customerId?: string; status?: RiskFlagStatus } = {}): Promise<RiskFlag[]> {
  const reader = await connection.runAndReadAll(
    `SELECT ${FLAG_COLUMNS} FROM risk_flags WHERE ($customerId IS NULL OR customer_id = $customerId) AND ($status IS NULL OR status = $status)
     ORDER BY opened_at, flag_id`,
    { customerId: filter.customerId ?? null, status: filter.status ?? null },
  );
  return reader.getRows().map(toFlag);
}

/**
 * Closes an open flag with a reviewer's decision: `fraud` and `abuse` confirm it, `legitimate`
 * dismisses it. Repeating the same decision is harmless (`changed: false`); a flag that is not open
 * any more, or was decided by another decision, is a RETOUR_CONFLICT; an unknown flag RETOUR_NOT_FOUND.
 * The risk job then keeps a decided customer unflagged until new evidence arrives or the score rises
 * materially under the same model (models/risk/decide-flag-action.ts).
 */
export async function closeFlagWithDecision(
  connection: DuckDBConnection,
  decision: { flagId: string; verdict: Verdict; decisionId: string; decidedAt: Date },
): Promise<{ flag: RiskFlag; changed: boolean }> {
  const status: RiskFlagStatus = decision.verdict === 'legitimate' ? 'dismissed' : 'confirmed';
  const current = await getFlag(connection, decision.flagId);
  if (current === undefined) throw new RetourError('RETOUR_NOT_FOUND', `flag ${decision.flagId} does not exist`);
  if (current.status !== 'open') {
    if (current.decisionId === decision.decisionId && current.status === status) return { flag: current, changed: false };
    throw new RetourError('RETOUR_CONFLICT', `flag ${decision.flagId} is already ${current.status}${current.decisionId === null ? '' : ` by decision ${current.decisionId}`}`);
  }
  await connection.run(
    `UPDATE risk_flags SET status = $status, decision_id = $decisionId, closed_at = $decidedAt::TIMESTAMPTZ, updated_at = $decidedAt::TIMESTAMPTZ
     WHERE flag_id = $flagId AND status = 'open'`,
    { status, decisionId: decision.decisionId, decidedAt: decision.decidedAt.toISOString(), flagId: decision.flagId },
  );
  return { flag: (await getFlag(connection, decision.flagId))!, changed: true };
}

const STATUS_OF_VERDICT = `CASE WHEN l.verdict = 'legitimate' THEN 'dismissed' ELSE 'confirmed' END`;

/**
 * Which flags applyRecordedDecisions looks at: all (the risk job), one (the API, before it decides
 * it), or those the decisions stored by some events can decide (ingest: the events of its batch) —
 * the flags they name and the open flags of the customers of those that name none.
 */
export type DecisionScope =
  | { readonly flagId?: undefined; readonly decisionEventIdsSql?: undefined }
  | { readonly flagId: string; readonly decisionEventIdsSql?: undefined }
  /** A query of event ids (e.g. `SELECT event_id FROM ingest_staging`), inlined: never user input. */
  | { readonly flagId?: undefined; readonly decisionEventIdsSql: string };

/**
 * The flags the decisions stored by these events can decide: those they name (not expired), and the
 * open flags of the customers of those that name none. Read first, so the statements below join a
 * handful of flags, not the whole table (an `OR` of two `IN` subqueries in each of them cost ≈ 0.3 s a
 * batch at 200k flags; a list of ids, a few ms).
 */
async function flagsDecidableBy(connection: DuckDBConnection, eventIdsSql: string): Promise<string[]> {
  const decisions = `SELECT d.flag_id, d.customer_id FROM risk_decisions d WHERE d.event_id IN (${eventIdsSql})`;
  const reader = await connection.runAndReadAll(
    `WITH batch AS (${decisions})
     SELECT f.flag_id FROM risk_flags f JOIN batch b ON b.flag_id = f.flag_id WHERE f.status <> 'expired'
     UNION
     SELECT f.flag_id FROM risk_flags f JOIN batch b ON b.flag_id IS NULL AND b.customer_id = f.customer_id WHERE f.status = 'open'`,
  );
  return reader.getRows().map(([flagId]) => String(flagId));
}

/**
 * Each flag's latest decision (effective-decisions.ts) among those that can decide it: the decisions
 * naming it, the one it holds, and for an open flag the customer's decisions without a flag made
 * since it opened. Expired flags were never decided and are left out.
 */
function latestDecisionPerFlag(scope: 'all' | 'flags'): string {
  // `$flagIds`: a JSON array of flag ids (one text, not a LIST parameter of many values).
  const inScope = scope === 'all' ? 'TRUE' : `f.flag_id IN (SELECT unnest(from_json($flagIds, '["VARCHAR"]')))`;
  return `(
  SELECT flag_id, decision_id, verdict, decided_at, min(decided_at) OVER (PARTITION BY flag_id) AS first_decided_at
  FROM (
    SELECT f.flag_id, d.decision_id, d.verdict, d.decided_at FROM risk_flags f JOIN risk_decisions d ON d.flag_id = f.flag_id
    WHERE f.status <> 'expired' AND ${inScope}
    UNION ALL
    SELECT f.flag_id, d.decision_id, d.verdict, d.decided_at FROM risk_flags f JOIN risk_decisions d ON d.decision_id = f.decision_id
    WHERE f.status IN ('confirmed', 'dismissed') AND ${inScope}
    UNION ALL
    SELECT f.flag_id, d.decision_id, d.verdict, d.decided_at FROM risk_flags f
    JOIN risk_decisions d ON d.flag_id IS NULL AND d.customer_id = f.customer_id AND d.decided_at >= f.opened_at
    WHERE f.status = 'open' AND ${inScope}
  )
  QUALIFY row_number() OVER (PARTITION BY flag_id ORDER BY ${LATEST_DECISION_FIRST}) = 1
)`;
}

/** What applyRecordedDecisions changed. */
export interface RecordedDecisionsApplied {
  /** Open flags a decision closed (the API's in-memory snapshots stop showing them as open). */
  readonly closed: readonly { readonly flagId: string; readonly customerId: string }[];
  /** Decided flags that moved to a later decision. */
  readonly redecided: number;
}

/**
 * Brings flags in line with the review decisions in `risk_decisions` — those ingest stored (another
 * API replica, another reviewing tool, an older Retour) as well as the API's own — by the rule "the
 * latest decision on a flag is its verdict":
 * - an open flag is closed by its latest decision: one naming it, or a decision about the customer
 *   without a flag made after it opened (closed at the first of them);
 * - a decided flag follows a later decision naming it (`confirmed` ↔ `dismissed`; its `closed_at`
 *   stays when it was first decided). An earlier decision arriving late changes nothing.
 * Idempotent: a flag already in line is not written. Runs in the caller's transaction, if any (ingest
 * runs it in the batch's). `scope` limits it to some flags (DecisionScope).
 */
export async function applyRecordedDecisions(connection: DuckDBConnection, scope: DecisionScope = {}): Promise<RecordedDecisionsApplied> {
  let flagIds: readonly string[] | undefined;
  if (scope.flagId !== undefined) flagIds = [scope.flagId];
  else if (scope.decisionEventIdsSql !== undefined) flagIds = await flagsDecidableBy(connection, scope.decisionEventIdsSql);
  if (flagIds?.length === 0) return { closed: [], redecided: 0 };
  // Each flag's latest decision, computed once for the three statements below (closing a flag does
  // not change which decision is its latest). A temp table: in the caller's transaction, if any.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE risk_latest_decisions AS SELECT * FROM ${latestDecisionPerFlag(flagIds === undefined ? 'all' : 'flags')}`,
    flagIds === undefined ? {} : { flagIds: JSON.stringify(flagIds) },
  );
  // No UPDATE … RETURNING: in DuckDB 1.5.6 it skips the write-write conflict check (a concurrent
  // update of the same flag on another connection — the risk job, the API, ingest — was silently
  // lost either way round; test/ingest/ingest-review-decisions.test.ts). The flags to close are read first.
  const closing = await connection.runAndReadAll(
    `SELECT f.flag_id, f.customer_id FROM risk_flags f JOIN risk_latest_decisions l USING (flag_id) WHERE f.status = 'open' ORDER BY f.flag_id`,
  );
  await connection.run(
    `UPDATE risk_flags f SET status = ${STATUS_OF_VERDICT}, decision_id = l.decision_id, closed_at = l.first_decided_at, updated_at = l.decided_at
     FROM risk_latest_decisions l
     WHERE f.flag_id = l.flag_id AND f.status = 'open'`,
  );
  const redecided = await connection.run(
    `UPDATE risk_flags f SET status = ${STATUS_OF_VERDICT}, decision_id = l.decision_id, updated_at = greatest(f.updated_at, l.decided_at)
     FROM risk_latest_decisions l
     WHERE f.flag_id = l.flag_id AND f.status IN ('confirmed', 'dismissed') AND (f.decision_id IS DISTINCT FROM l.decision_id OR f.status <> ${STATUS_OF_VERDICT})`,
  );
  // Not in a finally: after a failed statement the transaction is aborted and a DROP would hide the
  // error (a conflict ingest retries); a ROLLBACK drops it, and CREATE OR REPLACE reuses a leftover.
  await connection.run('DROP TABLE IF EXISTS risk_latest_decisions');
  return {
    closed: closing.getRows().map(([flagId, customerId]) => ({ flagId: String(flagId), customerId: String(customerId) })),
    redecided: Number(redecided.rowsChanged),
  };
}

/** A customer the flag lifecycle has to look at: in review/high now, or with an open flag. */
export interface FlagCandidateRow {
  readonly customerId: string;
  readonly tier: 'low' | 'review' | 'high' | 'unscored';
  readonly score: number | null;
  readonly evidenceCount: number;
  /** The model the score came from; null = rules only. */
  readonly modelVersion: string | null;
  readonly openFlag: { readonly flagId: string; readonly status: 'open'; readonly score: number; readonly evidenceCount: number; readonly modelVersion: string | null } | undefined;
  /**
   * The customer's most recently decided flag (confirmed or dismissed). Expired flags are left out:
   * never reviewed, they must not hide an earlier decision (a customer dismissed at 0.60, flagged again
   * at 0.80, expired, then back at 0.60 on the same evidence was queued again).
   */
  readonly lastDecidedFlag: { readonly status: RiskFlagStatus; readonly score: number; readonly evidenceCount: number; readonly modelVersion: string | null } | undefined;
}

export async function readFlagCandidates(connection: DuckDBConnection): Promise<FlagCandidateRow[]> {
  const reader = await connection.runAndReadAll(`
    WITH open_flags AS (SELECT * FROM risk_flags WHERE status = 'open'),
    last_decided AS (
      SELECT customer_id, arg_max(status, closed_at) AS status, arg_max(score, closed_at) AS score, arg_max(evidence_count, closed_at) AS evidence_count,
        arg_max(model_version, closed_at) AS model_version
      FROM risk_flags WHERE status IN ('confirmed', 'dismissed') GROUP BY customer_id
    )
    SELECT s.customer_id, s.tier, s.score, s.evidence_count, o.flag_id, o.score, o.evidence_count, c.status, c.score, c.evidence_count,
      s.model_version, o.model_version, c.model_version
    FROM customer_scores s
    LEFT JOIN open_flags o USING (customer_id)
    LEFT JOIN last_decided c USING (customer_id)
    WHERE s.tier IN ('review', 'high') OR o.flag_id IS NOT NULL`);
  return reader.getRows().map((row) => ({
    customerId: String(row[0]),
    tier: String(row[1]) as FlagCandidateRow['tier'],
    score: row[2] === null ? null : Number(row[2]),
    evidenceCount: Number(row[3]),
    modelVersion: row[10] === null ? null : String(row[10]),
    openFlag: row[4] === null ? undefined : { flagId: String(row[4]), status: 'open' as const, score: Number(row[5]), evidenceCount: Number(row[6]), modelVersion: row[11] === null ? null : String(row[11]) },
    lastDecidedFlag:
      row[7] === null ? undefined : { status: String(row[7]) as RiskFlagStatus, score: Number(row[8]), evidenceCount: Number(row[9]), modelVersion: row[12] === null ? null : String(row[12]) },
  }));
}

export interface FlagActionRow {
  readonly customerId: string;
  /** The open flag to update or expire; null when opening one. */
  readonly flagId: string | null;
  readonly action: 'open' | 'update' | 'expire';
}

/**
 * Applies the lifecycle actions in one transaction: expire and refresh open flags (from the
 * customer's latest score), open new flags. The caller guarantees at most one action per customer.
 */
export async function applyFlagActions(connection: DuckDBConnection, actions: readonly FlagActionRow[], now: Date): Promise<void> {
  await connection.run('CREATE OR REPLACE TEMP TABLE risk_flag_actions (customer_id VARCHAR, flag_id VARCHAR, action VARCHAR)');
  const appender = await connection.createAppender('risk_flag_actions');
  try {
    for (const action of actions) {
      appender.appendVarchar(action.customerId);
      if (action.flagId === null) appender.appendNull();
      else appender.appendVarchar(action.flagId);
      appender.appendVarchar(action.action);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const at = { now: now.toISOString() };
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run(
      `UPDATE risk_flags f SET status = 'expired', closed_at = $now::TIMESTAMPTZ, updated_at = $now::TIMESTAMPTZ
       FROM risk_flag_actions a WHERE a.action = 'expire' AND f.flag_id = a.flag_id AND f.status = 'open'`,
      at,
    );
    await connection.run(
      `UPDATE risk_flags f SET tier = s.tier, score = s.score, reasons = s.reasons, fraud_type = s.fraud_type_hint,
         evidence_count = s.evidence_count, model_version = s.model_version, updated_at = $now::TIMESTAMPTZ
       FROM risk_flag_actions a, customer_scores s
       WHERE a.action = 'update' AND f.flag_id = a.flag_id AND s.customer_id = a.customer_id AND f.status = 'open'`,
      at,
    );
    await connection.run(
      `INSERT INTO risk_flags
       SELECT 'flg_' || replace(gen_random_uuid()::VARCHAR, '-', ''), s.customer_id, 'open', s.tier, s.score, s.fraud_type_hint, s.reasons,
         s.evidence_count, $now::TIMESTAMPTZ, $now::TIMESTAMPTZ, NULL, NULL, s.model_version, NULL
       FROM risk_flag_actions a JOIN customer_scores s USING (customer_id)
       WHERE a.action = 'open' AND NOT EXISTS (SELECT 1 FROM risk_flags o WHERE o.customer_id = s.customer_id AND o.status = 'open')`,
      at,
    );
    await connection.run('COMMIT');
  } catch (error: unknown) {
    await connection.run('ROLLBACK');
    throw error;
  }
  await connection.run('DROP TABLE IF EXISTS risk_flag_actions');
}

/** Open flags not yet published to RETOUR_TOPIC_FLAGS (new ones, and any a failed publish left behind). */
export async function listUnpublishedFlags(connection: DuckDBConnection, limit = 10_000): Promise<RiskFlag[]> {
  const reader = await connection.runAndReadAll(`SELECT ${FLAG_COLUMNS} FROM risk_flags WHERE status = 'open' AND published_at IS NULL ORDER BY opened_at, flag_id LIMIT $limit`, { limit });
  return reader.getRows().map(toFlag);
}

export async function markFlagsPublished(connection: DuckDBConnection, flagIds: readonly string[], at: Date): Promise<void> {
  if (flagIds.length === 0) return;
  await connection.run(
    'UPDATE risk_flags SET published_at = $at::TIMESTAMPTZ WHERE list_contains($ids, flag_id)',
    { at: at.toISOString(), ids: listValue([...flagIds]) },
    { ids: LIST(VARCHAR) },
  );
}
