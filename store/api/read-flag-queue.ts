/**
 * The review queue: risk flags filtered by tier, status, fraud type, customer and opening time, ordered by
 * score (highest first) or age (oldest first) with keyset ("cursor") pagination, so pages stay stable
 * while flags change.
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
  /** score: highest first (the default); oldest: first opened first, for working the queue by age. */
  sort?: FlagQueueSort;
  /** Position after which the page starts: the last flag of the previous page (its score, or its opening time in µs since the epoch for oldest). */
  after?: { key: number; flagId: string };
  limit: number;
}

export type FlagQueueSort = 'score' | 'oldest';

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
export async function readFlagQueue(connection: DuckDBConnection, filter: FlagQueueFilter): Promise<{ flags: FlagSummary[]; hasMore: boolean; lastKey: number | undefined }> {
  const oldest = filter.sort === 'oldest';
  const reader = await connection.runAndReadAll(
    // opened_us: the exact opening time for the cursor (the ISO text shown is cut to milliseconds).
    `SELECT ${FLAG_COLUMNS}, epoch_us(opened_at) AS opened_us FROM risk_flags
     WHERE ($tier IS NULL OR tier = $tier)
       AND ($status IS NULL OR status = $status)
       AND ($fraudType IS NULL OR fraud_type = $fraudType)
       AND ($customerId IS NULL OR customer_id = $customerId)
       AND ($since IS NULL OR opened_at >= $since::TIMESTAMPTZ)
       AND ($afterKey IS NULL OR (CASE WHEN $oldest
         THEN epoch_us(opened_at) > $afterKey OR (epoch_us(opened_at) = $afterKey AND flag_id > $afterId)
         ELSE score < $afterKey OR (score = $afterKey AND flag_id > $afterId) END))
     ORDER BY ${oldest ? 'opened_at ASC' : 'score DESC'}, flag_id ASC
     LIMIT $limit`,
    {
      tier: filter.tier ?? null,
      status: filter.status ?? null,
      fraudType: filter.fraudType ?? null,
      customerId: filter.customerId ?? null,
      since: filter.since ?? null,
      oldest,
      afterKey: filter.after?.key ?? null,
      afterId: filter.after?.flagId ?? null,
      limit: filter.limit + 1,
    },
    // A whole-number key would otherwise be bound as a BIGINT (and 1e300 overflow it); µs since the epoch stay exact in a DOUBLE.
    { afterKey: DOUBLE },
  );
  const rows = reader.getRowObjectsJS();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    flags: page.map((row) => rowToFlag(row)),
    hasMore: rows.length > filter.limit,
    lastKey: last === undefined ? undefined : Number(oldest ? last['opened_us'] : last['score']),
  };
}

export async function readFlag(connection: DuckDBConnection, flagId: string): Promise<FlagSummary | undefined> {
  const reader = await connection.runAndReadAll(`SELECT ${FLAG_COLUMNS} FROM risk_flags WHERE flag_id = $flagId`, { flagId });
  const row = reader.getRowObjectsJS()[0];
  return row === undefined ? undefined : rowToFlag(row);
}
