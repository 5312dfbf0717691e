import type { DuckDBConnection } from '@duckdb/node-api';
import { pino } from 'pino';
import { configWith } from '../../../config/load-config.ts';
import type { ConfigVariableName } from '../../../config/config-variables.ts';
import { createEventBatchWriter, ingestBatch, type EventBatchWriter } from '../../../ingest/ingest-batch.ts';
import { opsJob } from '../../../jobs/ops/ops-job.ts';
import { listMigrations, migrate } from '../../../store/migrate.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';

const DAY_MS = 86_400_000;

/** `day(3.5)` = 2026-03-01 + 3.5 days, as RFC 3339. Scenarios are written in days from 2026-03-01. */
export function day(offset: number): string {
  return new Date(Date.parse('2026-03-01T00:00:00Z') + offset * DAY_MS).toISOString();
}

export interface ExceptionRow {
  exception_id: string;
  return_id: string;
  kind: string;
  detected_at: string;
  observed_at: string | null;
  amount: number | null;
  expected_amount: number | null;
  evidence: Record<string, unknown>;
  status: string;
  resolved_at: string | null;
  resolution: string | null;
  customer_id: string | null;
  category: string | null;
  seller_id: string | null;
}

/**
 * Hand-built event sequences for the ops job, fed through the real ingest path (validation,
 * quarantine of refunds above the order's total) into an in-memory DuckDB with the fact and ops
 * migrations (and 013, the `repeat_of` column of the duplicates ingest writes). Every order has
 * lines l1 (apparel, 2 × 1500, seller s1) and l2 (electronics, 1 × 4000, seller s2) unless told
 * otherwise.
 */
export class OpsScenario {
  private eventNumber = 0;
  private offset = 0;
  private constructor(
    readonly database: Database,
    readonly connection: DuckDBConnection,
    private readonly writer: EventBatchWriter,
    private readonly config: ReturnType<typeof configWith>,
  ) {}

  static async open(overrides: Partial<Record<ConfigVariableName, string>> = {}): Promise<OpsScenario> {
    const database = await openDatabase({ path: ':memory:', migrate: false });
    const connection = await database.connect();
    await migrate(connection, listMigrations().filter((migration) => [1, 6, 13].includes(migration.version)));
    const writer = await createEventBatchWriter(await database.connect());
    return new OpsScenario(database, connection, writer, configWith(overrides));
  }

  close(): void {
    this.writer.close();
    this.database.close();
  }

  private event(type: string, time: string, data: Record<string, unknown>): Record<string, unknown> {
    return { specversion: '1.0', id: `evt_${++this.eventNumber}`, source: 'test', type, time, datacontenttype: 'application/json', data };
  }

  order(orderId: string, options: { placedAt?: number; currency?: string; lines?: { lineId: string; category: string; quantity: number; unitPrice: number; sellerId?: string }[] } = {}) {
    const lines = options.lines ?? [
      { lineId: 'l1', category: 'apparel', quantity: 2, unitPrice: 1500, sellerId: 's1' },
      { lineId: 'l2', category: 'electronics', quantity: 1, unitPrice: 4000, sellerId: 's2' },
    ];
    const at = day(options.placedAt ?? 0);
    return this.event('order.placed', at, {
      orderId,
      customerId: 'cus_1',
      placedAt: at,
      currency: options.currency ?? 'EUR',
      lines: lines.map((line) => ({ ...line, productId: `prd_${line.lineId}` })),
    });
  }

  delivered(orderId: string, at: number, lineIds?: string[]) {
    return this.event('order.delivered', day(at), { orderId, customerId: 'cus_1', deliveredAt: day(at), ...(lineIds === undefined ? {} : { lineIds }) });
  }

  requested(returnId: string, orderId: string, at: number, options: { lines?: { lineId: string; quantity: number }[]; method?: string; resolution?: string } = {}) {
    const lines = options.lines ?? [{ lineId: 'l1', quantity: 2 }];
    return this.event('return.requested', day(at), {
      returnId,
      orderId,
      customerId: 'cus_1',
      requestedAt: day(at),
      method: options.method ?? 'mail',
      resolution: options.resolution ?? 'refund',
      lines: lines.map((line) => ({ ...line, productId: `prd_${line.lineId}`, reason: 'fit.too_small' })),
    });
  }

  received(returnId: string, at: number, lines: { lineId: string; quantity: number }[] = [{ lineId: 'l1', quantity: 2 }]) {
    return this.event('return.received', day(at), { returnId, receivedAt: day(at), lines });
  }

  inspected(returnId: string, at: number, condition = 'A_new', lineIds: string[] = ['l1']) {
    return this.event('return.inspected', day(at), {
      returnId,
      inspectedAt: day(at),
      lines: lineIds.map((lineId) => ({ lineId, condition, fault: 'none_found', disposition: 'restock' })),
    });
  }

  refunded(refundId: string, returnId: string, orderId: string, at: number, amount: number, currency = 'EUR') {
    return this.event('refund.issued', day(at), { refundId, returnId, orderId, customerId: 'cus_1', issuedAt: day(at), amount, currency, method: 'original_payment' });
  }

  /** A refund without a returnId (goodwill). */
  goodwill(refundId: string, orderId: string, at: number, amount: number, currency = 'EUR') {
    return this.event('refund.issued', day(at), { refundId, orderId, customerId: 'cus_1', issuedAt: day(at), amount, currency, method: 'original_payment' });
  }

  closed(returnId: string, at: number, outcome = 'refunded') {
    return this.event('return.closed', day(at), { returnId, closedAt: day(at), outcome });
  }

  feedback(returnId: string, at: number, rating: number, comment?: string) {
    return this.event('return.feedback', day(at), { returnId, customerId: 'cus_1', submittedAt: day(at), rating, ...(comment === undefined ? {} : { comment }) });
  }

  /** Ingests the events in the given order (one batch), as Kafka would deliver them. */
  async ingest(...events: Record<string, unknown>[]) {
    return ingestBatch(
      this.writer,
      events.map((event) => ({ topic: 'test', partition: 0, offset: this.offset++, value: JSON.stringify(event) })),
      { maxEventBytes: 65536, now: () => new Date('2026-06-01T00:00:00Z') },
    );
  }

  async run(at: number) {
    return opsJob.run({ connection: this.connection, config: this.config, logger: pino({ level: 'silent' }), now: new Date(day(at)), fullRebuild: false, signal: new AbortController().signal });
  }

  async exceptions(): Promise<ExceptionRow[]> {
    const reader = await this.connection.runAndReadAll(
      `SELECT exception_id, return_id, kind, ops_iso(detected_at) AS detected_at, ops_iso(observed_at) AS observed_at, amount::DOUBLE AS amount,
              expected_amount::DOUBLE AS expected_amount, evidence, status, ops_iso(resolved_at) AS resolved_at, resolution, customer_id, category, seller_id
       FROM refund_exceptions ORDER BY return_id, kind`,
    );
    return reader.getRowObjectsJS().map((row) => ({ ...row, evidence: JSON.parse(String(row['evidence'])) }) as unknown as ExceptionRow);
  }

  /** `return_id:kind:status` per exception, for compact expectations. */
  async exceptionStates(): Promise<string[]> {
    return (await this.exceptions()).map((row) => `${row.return_id}:${row.kind}:${row.status}${row.resolution === null ? '' : `:${row.resolution}`}`);
  }

  async rows(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }
}
