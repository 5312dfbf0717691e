/**
 * The review queue: risk flags filtered by tier, status, fraud type, customer and opening time, ordered by
 * score (highest first) with keyset ("cursor") pagination, so pages stay stable while flags change.
 */
import { DOUBLE, type DuckDBConnection } from '@duckdb/node-api';
import { toIsoTime } from '../to-iso-time.ts';

export interface FlagReason {
  code: string;
  text: string;
  weight: number;
}

export interface FlagSummary {
  flagId: string;
  customerId: string;
  status: string;
  tier: string;
  score: number;
  fraudType: string | null;
  reasons: FlagReason[];
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
  decisionId: string | null;
  modelVersion: string | null;
}

export interface FlagQueueFilter {
  tier?: string;
  /** Default: every status. */
  status?: string;
  fraudType?: string;
  customerId?: string;
  /** Flags opened at or after this time (RFC 3339). */
  since?: string;
  /** Position after which the page starts: the last flag of the previous page. */
  after?: { score: number; flagId: string };
  limit: number;
}

const FLAG_COLUMNS = `flag_id, customer_id, status, tier, score, fraud_type, reasons, opened_at, updated_at, closed_at, decision_id, model_version`;

export function rowToFlag(row: Record<string, unknown>): FlagSummary {
  return {
    flagId: String(row['flag_id']),
    customerId: String(row['customer_id']),
    status: String(row['status']),
    tier: String(row['tier']),
    score: Number(row['score']),
    fraudType: row['fraud_type'] === null ? null : String(row['fraud_type']),
    reasons: parseReasons(row['reasons']),
    openedAt: toIsoTime(row['opened_at'])!,
    updatedAt: toIsoTime(row['updated_at'])!,
    closedAt: toIsoTime(row['closed_at']),
    decisionId: row['decision_id'] === null ? null : String(row['decision_id']),
    modelVersion: row['model_version'] === null || row['model_version'] === undefined ? null : String(row['model_version']),
  };
}

function parseReasons(value: unknown): FlagReason[] {
  if (typeof value !== 'string') return [];
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed)) return [];
  return parsed.map((reason: { code?: unknown; text?: unknown; weight?: unknown }) => ({
    code: String(reason.code ?? ''),
    text: String(reason.text ?? ''),
    weight: Number(reason.weight ?? 0),
  }));
}

/**
 * One page of flags; asks for `limit + 1` rows so the caller knows whether another page exists.
 * @example
 * const { flags, hasMore } = await readFlagQueue(connection, { status: 'open', limit: 50 });
 */
export async function readFlagQueue(connection: DuckDBConnection, filter: FlagQueueFilter): Promise<{ flags: FlagSummary[]; hasMore: boolean }> {
  const reader = await connection.runAndReadAll(
    `SELECT ${FLAG_COLUMNS} FROM risk_flags
     WHERE ($tier IS NULL OR tier = $tier)
       AND ($status IS NULL OR status = $status)
       AND ($fraudType IS NULL OR fraud_type = $fraudType)
       AND ($customerId IS NULL OR customer_id = $customerId)
       AND ($since IS NULL OR opened_at >= $since::TIMESTAMPTZ)
       AND ($afterScore IS NULL OR score < $afterScore OR (score = $afterScore AND flag_id > $afterId))
     ORDER BY score DESC, flag_id ASC
     LIMIT $limit`,
    {
      tier: filter.tier ?? null,
      status: filter.status ?? null,
      fraudType: filter.fraudType ?? null,
      customerId: filter.customerId ?? null,
      since: filter.since ?? null,
      afterScore: filter.after?.score ?? null,
      afterId: filter.after?.flagId ?? null,
      limit: filter.limit + 1,
    },
    // A whole-number score would otherwise be bound as a BIGINT.
    { afterScore: DOUBLE },
  );
  const rows = reader.getRowObjectsJS().map((row) => rowToFlag(row));
  return { flags: rows.slice(0, filter.limit), hasMore: rows.length > filter.limit };
}

export async function readFlag(connection: DuckDBConnection, flagId: string): Promise<FlagSummary | undefined> {
  const reader = await connection.runAndReadAll(`SELECT ${FLAG_COLUMNS} FROM risk_flags WHERE flag_id = $flagId`, { flagId });
  const row = reader.getRowObjectsJS()[0];
  return row === undefined ? undefined : rowToFlag(row);
}
