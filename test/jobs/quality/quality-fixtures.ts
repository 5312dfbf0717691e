import type { DuckDBConnection } from '@duckdb/node-api';
import pino from 'pino';
import { configWith } from '../../../config/load-config.ts';
import type { ConfigVariableName } from '../../../config/config-variables.ts';
import type { JobContext } from '../../../jobs/job.ts';
import { qualityJob } from '../../../jobs/quality/quality-job.ts';
import { listMigrations, migrate } from '../../../store/migrate.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';

/**
 * An in-memory database with only the migrations the quality job needs (001 facts, 003 and 008 quality), so
 * these tests do not depend on other areas' migrations being finished.
 */
export async function openQualityTestDatabase(): Promise<{ database: Database; connection: DuckDBConnection }> {
  const database = await openDatabase({ path: ':memory:', migrate: false });
  const connection = await database.connect();
  await migrate(connection, listMigrations().filter((migration) => [1, 3, 8, 11].includes(migration.version)));
  return { database, connection };
}

/**
 * Hand-built facts for the quality tests: each insert also writes its events row, so the
 * incremental watermark (events.ingested_at) sees it.
 */
export class QualityFacts {
  private eventNumber = 0;
  constructor(private readonly connection: DuckDBConnection) {}

  private async event(type: string, ingestedAt: string): Promise<string> {
    const eventId = `evt_${++this.eventNumber}`;
    await this.connection.run(
      `INSERT INTO events VALUES ($id, $type, 'test', NULL, $at::TIMESTAMPTZ, NULL, '{}', 'test', 0, $offset, $at::TIMESTAMPTZ)`,
      { id: eventId, type, at: ingestedAt, offset: this.eventNumber },
    );
    return eventId;
  }

  /** One order of lines (all placed at `placedAt`). */
  async order(options: {
    orderId: string;
    lines: Array<{ lineId: string; productId: string; category?: string; sellerId?: string | null; quantity?: number }>;
    placedAt: string;
    ingestedAt?: string;
  }): Promise<void> {
    const eventId = await this.event('order.placed', options.ingestedAt ?? options.placedAt);
    for (const line of options.lines) {
      await this.connection.run(
        `INSERT INTO order_lines VALUES ($orderId, $lineId, 'c1', $productId, $sellerId, $category, $quantity, 1000, 'EUR', NULL, NULL, $placedAt::TIMESTAMPTZ, $eventId)`,
        {
          orderId: options.orderId,
          lineId: line.lineId,
          productId: line.productId,
          sellerId: line.sellerId === undefined ? 's1' : line.sellerId,
          category: line.category ?? 'electronics',
          quantity: line.quantity ?? 1,
          placedAt: options.placedAt,
          eventId,
        },
      );
    }
  }

  /** A delivery of the listed lines, or of the whole order when `lineIds` is absent (line_id NULL). */
  async delivery(options: { orderId: string; lineIds?: string[]; deliveredAt: string; ingestedAt?: string }): Promise<void> {
    const eventId = await this.event('order.delivered', options.ingestedAt ?? options.deliveredAt);
    for (const lineId of options.lineIds ?? [null]) {
      await this.connection.run(`INSERT INTO deliveries VALUES ($orderId, 'c1', $lineId, $at::TIMESTAMPTZ, $eventId)`, {
        orderId: options.orderId,
        lineId,
        at: options.deliveredAt,
        eventId,
      });
    }
  }

  async returnLine(options: {
    returnId: string;
    orderId: string;
    lineId: string;
    productId: string;
    reason: string;
    quantity?: number;
    comment?: string;
    requestedAt: string;
    ingestedAt?: string;
  }): Promise<void> {
    const eventId = await this.event('return.requested', options.ingestedAt ?? options.requestedAt);
    await this.connection.run(
      `INSERT INTO return_lines VALUES ($returnId, $orderId, 'c1', $lineId, $productId, $quantity, $reason, $comment, $at::TIMESTAMPTZ, $eventId)`,
      {
        returnId: options.returnId,
        orderId: options.orderId,
        lineId: options.lineId,
        productId: options.productId,
        quantity: options.quantity ?? 1,
        reason: options.reason,
        comment: options.comment ?? null,
        at: options.requestedAt,
        eventId,
      },
    );
  }

  async inspection(options: { returnId: string; lineId: string; fault: string; inspectedAt: string; ingestedAt?: string }): Promise<void> {
    const eventId = await this.event('return.inspected', options.ingestedAt ?? options.inspectedAt);
    await this.connection.run(`INSERT INTO inspections VALUES ($returnId, $lineId, $at::TIMESTAMPTZ, 'D_damaged', $fault, 'return_to_vendor', $eventId)`, {
      returnId: options.returnId,
      lineId: options.lineId,
      at: options.inspectedAt,
      fault: options.fault,
      eventId,
    });
  }
}

/** Runs the quality job the way run-job.ts does, with a silent logger. */
export async function runQuality(
  connection: DuckDBConnection,
  options: { now: string; fullRebuild?: boolean; config?: Partial<Record<ConfigVariableName, string>>; publish?: JobContext['publish'] },
): Promise<Awaited<ReturnType<typeof qualityJob.run>>> {
  const context: JobContext = {
    connection,
    config: configWith(options.config ?? {}),
    logger: pino({ level: 'silent' }),
    now: new Date(options.now),
    fullRebuild: options.fullRebuild ?? false,
    signal: new AbortController().signal,
    ...(options.publish === undefined ? {} : { publish: options.publish }),
  };
  return qualityJob.run(context);
}

/** Rows of a table as plain objects, in a stable order, without computed_at (which is the run time). */
export async function readRows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

const EPISODE_START = '2026-01-05'; // a Monday; day 0 of insertEpisodeProducts

/** Midnight (UTC) of day `day` of insertEpisodeProducts, as RFC 3339. */
export const episodeDay = (day: number): string => new Date(Date.parse(`${EPISODE_START}T00:00:00Z`) + day * 86_400_000).toISOString();

/**
 * 30 products × 100 days, deterministic: `units` deliveries a day per product, 1 in 33 units returned
 * as defective 2 days after delivery, 1 in 10 returned as too small. P00: 1 in 8 defective on days
 * 70–83 (an episode). P01: 1 in 13 on days 70–83 (a mild rise). P29: only 10 units a day, 1 in 4
 * defective on days 70–83 (big rise, too few units).
 */
export async function insertEpisodeProducts(connection: DuckDBConnection): Promise<void> {
  await connection.run(`
    CREATE TEMP TABLE units AS
    SELECT p, d, i, 'P' || lpad(p::VARCHAR, 2, '0') AS product_id, 'o' || p || '_' || d || '_' || i AS order_id,
           CASE WHEN p = 0 AND d BETWEEN 70 AND 83 THEN (i + d) % 8 = 0
                WHEN p = 1 AND d BETWEEN 70 AND 83 THEN (i + d) % 13 = 0
                WHEN p = 29 AND d BETWEEN 70 AND 83 THEN (i + d) % 4 = 0
                ELSE (i + 7 * d + p) % 33 = 0 END AS defective,
           (i + d + p) % 10 = 5 AS too_small
    FROM range(30) a(p), range(100) b(d), range(40) c(i)
    WHERE p <> 29 OR i < 10`);
  await connection.run(`INSERT INTO order_lines SELECT order_id, 'l1', 'c1', product_id, 's' || (p % 3), 'home', 1, 1000, 'EUR', NULL, NULL,
      $start::TIMESTAMPTZ + to_days(d::INTEGER) - INTERVAL 2 DAY, 'e' FROM units`, { start: `${EPISODE_START}T10:00:00Z` });
  await connection.run(`INSERT INTO deliveries SELECT order_id, 'c1', NULL, $start::TIMESTAMPTZ + to_days(d::INTEGER), 'e' FROM units`, { start: `${EPISODE_START}T10:00:00Z` });
  await connection.run(`INSERT INTO return_lines SELECT 'r' || order_id, order_id, 'c1', 'l1', product_id, 1,
      CASE WHEN defective THEN 'quality.defective' ELSE 'fit.too_small' END, CASE WHEN defective THEN 'The handle snapped off' END,
      $start::TIMESTAMPTZ + to_days(d::INTEGER + 2), 'e' FROM units WHERE defective OR too_small`, { start: `${EPISODE_START}T10:00:00Z` });
}
