/**
 * The audit log (`audit_log`, migration 005): who did what, when, through which request. Rows are
 * only appended; the API's admin route and the CLI read them newest first.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** Who acted: an API key (with the request id), or the CLI (key id `cli`, role `cli`, the OS user as name). */
export interface AuditActor {
  keyId: string;
  keyName: string;
  role: string;
  requestId: string;
}

export interface AuditEntry {
  auditId: number;
  occurredAt: string;
  keyId: string;
  keyName: string;
  role: string;
  action: string;
  target: string;
  requestId: string;
  details: Record<string, unknown>;
}

/** Appends one row; call it inside the transaction of the change it records. */
export async function appendAuditEntry(
  connection: DuckDBConnection,
  entry: { occurredAt: Date; actor: AuditActor; action: string; target: string; details: Record<string, unknown> },
): Promise<void> {
  await connection.run(
    `INSERT INTO audit_log (occurred_at, key_id, key_name, role, action, target, request_id, details)
     VALUES ($at::TIMESTAMPTZ, $keyId, $keyName, $role, $action, $target, $requestId, $details)`,
    { at: entry.occurredAt.toISOString(), ...entry.actor, action: entry.action, target: entry.target, details: JSON.stringify(entry.details) },
  );
}

export interface AuditQuery {
  limit: number;
  /** Only rows with a smaller audit id (the cursor of the previous page). */
  before?: number;
  action?: string;
  keyId?: string;
  target?: string;
  /** Only rows at or after this time. */
  since?: string;
}

/**
 * One page of the audit log, newest first.
 * @example
 * const { entries, hasMore } = await readAuditLog(connection, { limit: 50, action: 'key.revoke' });
 */
export async function readAuditLog(connection: DuckDBConnection, query: AuditQuery): Promise<{ entries: AuditEntry[]; hasMore: boolean }> {
  const reader = await connection.runAndReadAll(
    `SELECT audit_id, epoch_ms(occurred_at), key_id, key_name, role, action, target, request_id, details
     FROM audit_log
     WHERE ($before IS NULL OR audit_id < $before)
       AND ($action IS NULL OR action = $action)
       AND ($keyId IS NULL OR key_id = $keyId)
       AND ($target IS NULL OR target = $target)
       AND ($since IS NULL OR occurred_at >= $since::TIMESTAMPTZ)
     ORDER BY audit_id DESC
     LIMIT $limit`,
    {
      before: query.before ?? null,
      action: query.action ?? null,
      keyId: query.keyId ?? null,
      target: query.target ?? null,
      since: query.since ?? null,
      // One more than asked: whether another page exists.
      limit: query.limit + 1,
    },
  );
  const rows = reader.getRows();
  const entries = rows.slice(0, query.limit).map(([auditId, occurredAt, keyId, keyName, role, action, target, requestId, details]) => ({
    auditId: Number(auditId),
    occurredAt: new Date(Number(occurredAt)).toISOString(),
    keyId: String(keyId),
    keyName: String(keyName),
    role: String(role),
    action: String(action),
    target: String(target),
    requestId: String(requestId),
    details: JSON.parse(String(details)) as Record<string, unknown>,
  }));
  return { entries, hasMore: rows.length > query.limit };
}
