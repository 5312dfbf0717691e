/**
 * Stores a reviewer's decision on a flag in one transaction: the `risk.decision` event (in `events`,
 * with the id it is published under, so its echo from Kafka is an exact duplicate), its fact row in
 * `risk_decisions` (the label training reads), the flag's closing — or, for a correction, its move
 * to the new decision — the audit row, the idempotency record and the outbox row that gets it published.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { LATEST_DECISION_FIRST } from '../risk/effective-decisions.ts';

export interface ReviewDecisionRecord {
  flagId: string;
  customerId: string;
  decisionId: string;
  eventId: string;
  /** The CloudEvent as published (JSON text). */
  payload: string;
  topic: string;
  decidedAt: Date;
  decidedBy: string;
  verdict: string;
  fraudType: string | null;
  note: string | null;
  /** Flag status after the decision ('confirmed' or 'dismissed'). */
  flagStatus: string;
  /** A correction: the flag's current decision, which this one replaces (audited as `flag.correct`). */
  supersedes?: StoredFlagDecision;
  audit: { keyId: string; keyName: string; role: string; requestId: string };
  /** The response to replay for a retried request with the same Idempotency-Key. */
  idempotency?: { key: string; route: string; requestHash: string; statusCode: number; response: string };
}

/**
 * Returns false (and changes nothing) when the flag is no longer open — another decision won — or,
 * for a correction, when the flag's decision is no longer the superseded one.
 * @example
 * const stored = await recordReviewDecision(connection, record);
 */
export async function recordReviewDecision(connection: DuckDBConnection, record: ReviewDecisionRecord): Promise<boolean> {
  const at = record.decidedAt.toISOString();
  await connection.run('BEGIN TRANSACTION');
  try {
    // No RETURNING: in DuckDB 1.5.6 an UPDATE … RETURNING skips the write-write conflict check, and a
    // concurrent write of the flag (ingest applying another tool's decision, the risk job) was lost.
    const closed =
      record.supersedes === undefined
        ? await connection.run(
            `UPDATE risk_flags SET status = $status, closed_at = $at::TIMESTAMPTZ, updated_at = $at::TIMESTAMPTZ, decision_id = $decisionId
             WHERE flag_id = $flagId AND status = 'open'`,
            { status: record.flagStatus, at, decisionId: record.decisionId, flagId: record.flagId },
          )
        : // closed_at stays when the flag was first decided: its evidence is as of the run before that.
          await connection.run(
            `UPDATE risk_flags SET status = $status, updated_at = $at::TIMESTAMPTZ, decision_id = $decisionId
             WHERE flag_id = $flagId AND status IN ('confirmed', 'dismissed') AND decision_id = $supersedes`,
            { status: record.flagStatus, at, decisionId: record.decisionId, flagId: record.flagId, supersedes: record.supersedes.decisionId },
          );
    if (closed.rowsChanged === 0) {
      await connection.run('ROLLBACK');
      return false;
    }
    await connection.run(
      `INSERT INTO events (event_id, type, source, subject, event_time, customer_id, payload, topic, kafka_partition, kafka_offset, ingested_at)
       VALUES ($eventId, 'risk.decision', 'retour-api', $flagId, $at::TIMESTAMPTZ, $customerId, $payload, $topic, -1, -1, $at::TIMESTAMPTZ)`,
      { eventId: record.eventId, flagId: record.flagId, at, customerId: record.customerId, payload: record.payload, topic: record.topic },
    );
    await connection.run(
      `INSERT INTO risk_decisions (decision_id, customer_id, flag_id, decided_at, decided_by, verdict, fraud_type, note, event_id)
       VALUES ($decisionId, $customerId, $flagId, $at::TIMESTAMPTZ, $decidedBy, $verdict, $fraudType, $note, $eventId)`,
      {
        decisionId: record.decisionId,
        customerId: record.customerId,
        flagId: record.flagId,
        at,
        decidedBy: record.decidedBy,
        verdict: record.verdict,
        fraudType: record.fraudType,
        note: record.note,
        eventId: record.eventId,
      },
    );
    await connection.run(
      `INSERT INTO audit_log (occurred_at, key_id, key_name, role, action, target, request_id, details)
       VALUES ($at::TIMESTAMPTZ, $keyId, $keyName, $role, $action, $flagId, $requestId, $details)`,
      {
        at,
        ...record.audit,
        action: record.supersedes === undefined ? 'flag.decide' : 'flag.correct',
        flagId: record.flagId,
        details: JSON.stringify({
          decisionId: record.decisionId,
          verdict: record.verdict,
          fraudType: record.fraudType,
          note: record.note,
          ...(record.supersedes === undefined
            ? {}
            : {
                supersedes: {
                  decisionId: record.supersedes.decisionId,
                  verdict: record.supersedes.verdict,
                  fraudType: record.supersedes.fraudType,
                  note: record.supersedes.note,
                  decidedBy: record.supersedes.decidedBy,
                  decidedAt: record.supersedes.decidedAt.toISOString(),
                },
              }),
        }),
      },
    );
    if (record.idempotency !== undefined) {
      await connection.run(
        `INSERT INTO idempotency_keys (key_id, idempotency_key, route, request_hash, status_code, response, created_at)
         VALUES ($keyId, $key, $route, $hash, $status, $response, $at::TIMESTAMPTZ)`,
        {
          keyId: record.audit.keyId,
          key: record.idempotency.key,
          route: record.idempotency.route,
          hash: record.idempotency.requestHash,
          status: record.idempotency.statusCode,
          response: record.idempotency.response,
          at,
        },
      );
    }
    await connection.run(
      `INSERT INTO api_outbox (event_id, topic, message_key, payload, created_at) VALUES ($eventId, $topic, $customerId, $payload, $at::TIMESTAMPTZ)`,
      { eventId: record.eventId, topic: record.topic, customerId: record.customerId, payload: record.payload, at },
    );
    await connection.run('COMMIT');
    return true;
  } catch (error: unknown) {
    await connection.run('ROLLBACK');
    throw error;
  }
}

export interface StoredIdempotentResponse {
  requestHash: string;
  statusCode: number;
  response: string;
}

export async function readIdempotentResponse(connection: DuckDBConnection, key: { keyId: string; idempotencyKey: string; route: string }): Promise<StoredIdempotentResponse | undefined> {
  const reader = await connection.runAndReadAll(
    'SELECT request_hash, status_code, response FROM idempotency_keys WHERE key_id = $keyId AND idempotency_key = $idempotencyKey AND route = $route',
    key,
  );
  const row = reader.getRows()[0];
  return row === undefined ? undefined : { requestHash: String(row[0]), statusCode: Number(row[1]), response: String(row[2]) };
}

export interface StoredFlagDecision {
  decisionId: string;
  eventId: string;
  verdict: string;
  fraudType: string | null;
  note: string | null;
  decidedAt: Date;
  decidedBy: string;
}

const DECISION_COLUMNS = 'decision_id, event_id, verdict, fraud_type, note, decided_at, decided_by';

function toStoredDecision(row: Record<string, unknown>): StoredFlagDecision {
  return {
    decisionId: String(row['decision_id']),
    eventId: String(row['event_id']),
    verdict: String(row['verdict']),
    fraudType: row['fraud_type'] === null ? null : String(row['fraud_type']),
    note: row['note'] === null ? null : String(row['note']),
    decidedAt: row['decided_at'] as Date,
    decidedBy: String(row['decided_by']),
  };
}

/** The decision a flag holds, to answer a repeated decision on an already-decided flag. */
export async function readFlagDecision(connection: DuckDBConnection, decisionId: string): Promise<StoredFlagDecision | undefined> {
  const reader = await connection.runAndReadAll(`SELECT ${DECISION_COLUMNS} FROM risk_decisions WHERE decision_id = $decisionId LIMIT 1`, { decisionId });
  const row = reader.getRowObjectsJS()[0];
  return row === undefined ? undefined : toStoredDecision(row);
}

/**
 * A flag's decisions, the one that counts first (store/risk/effective-decisions.ts): those naming it
 * and the one it holds (which names no flag when a decision about the customer closed it).
 */
export async function readFlagDecisions(connection: DuckDBConnection, flag: { flagId: string; decisionId: string | null }): Promise<StoredFlagDecision[]> {
  const reader = await connection.runAndReadAll(
    `SELECT ${DECISION_COLUMNS} FROM risk_decisions WHERE flag_id = $flagId OR decision_id = $decisionId
     -- One row per decision, should a publisher have sent the same decision under two event ids.
     QUALIFY row_number() OVER (PARTITION BY decision_id ORDER BY event_id) = 1
     ORDER BY ${LATEST_DECISION_FIRST}`,
    { flagId: flag.flagId, decisionId: flag.decisionId },
  );
  return reader.getRowObjectsJS().map(toStoredDecision);
}

/**
 * Whether a decision's risk.decision event is on Kafka: its outbox row was acknowledged, or it has
 * none (the decision came in through Kafka, from another reviewing tool).
 */
export async function isDecisionEventPublished(connection: DuckDBConnection, eventId: string): Promise<boolean> {
  const reader = await connection.runAndReadAll('SELECT published_at IS NOT NULL FROM api_outbox WHERE event_id = $eventId', { eventId });
  const row = reader.getRows()[0];
  return row === undefined ? true : row[0] === true;
}

/** Outbox rows not yet acknowledged by Kafka, oldest first. */
export async function readUnpublishedOutbox(connection: DuckDBConnection, limit: number): Promise<{ eventId: string; topic: string; key: string; payload: string }[]> {
  const reader = await connection.runAndReadAll(
    'SELECT event_id, topic, message_key, payload FROM api_outbox WHERE published_at IS NULL ORDER BY created_at, event_id LIMIT $limit',
    { limit },
  );
  return reader.getRows().map((row) => ({ eventId: String(row[0]), topic: String(row[1]), key: String(row[2]), payload: String(row[3]) }));
}

export async function markOutboxPublished(connection: DuckDBConnection, eventIds: readonly string[], at: Date): Promise<void> {
  for (const eventId of eventIds) {
    await connection.run('UPDATE api_outbox SET published_at = $at::TIMESTAMPTZ WHERE event_id = $eventId', { at: at.toISOString(), eventId });
  }
}
