/**
 * The SQL side of one ingest micro-batch, on the writer's own connection: connection-local temp
 * tables filled by Appenders (staged events, duplicates, quarantine), then set-based statements
 * that move them into the real tables inside one transaction. The decisions (what is a duplicate,
 * a conflict, an invalid reference) are made by the caller in ingest/; this file only speaks SQL.
 */
import type { DuckDBAppender, DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { RetourError } from '../domain/errors/retour-error.ts';
import { ENTITY_KEYS, findRepeatedEntitiesSql, INSERT_STAGED_EVENTS, INSERT_STAGED_FACTS, OCCURRENCE_KEYS } from './event-fact-statements.ts';
import { prepareWithoutStatistics } from './prepare-without-statistics.ts';
import type { PartitionOffset } from './read-ingest-status.ts';
import { applyRecordedDecisions } from './risk/risk-flags.ts';

export interface StagedEvent {
  /** Position of the message in its batch; used to un-stage rejected events. */
  seq: number;
  eventId: string;
  type: string;
  /** Stored as `events.payload`: valid UTF-8 bytes (no copy of a Kafka message is made) or text. */
  payload: Uint8Array | string;
  /** Canonical JSON of the validated event when it differs from `payload` (DuckDB reads this one). */
  canonical: string | null;
  topic: string;
  partition: number;
  offset: number;
}

export interface DuplicateRow {
  eventId: string;
  /** The stored event whose entity (order, return, …) or occurrence (delivery, inspection, …) this one repeats under another id; undefined for a re-sent id. */
  repeatOf?: string | undefined;
  topic: string;
  partition: number;
  offset: number;
}

export interface QuarantineRow {
  raw: Uint8Array;
  errorCode: string;
  jsonPath: string;
  message: string;
  eventId: string | undefined;
  eventType: string | undefined;
  topic: string;
  partition: number;
  offset: number;
}

/**
 * A staged event whose entity id — or, for a type that repeats per order or return (OCCURRENCE_KEYS),
 * whose order or return id and time — is stored already, or staged more than once in the batch.
 */
export interface RepeatedEntity {
  seq: number;
  type: string;
  /** The entity id, or the order or return id of an occurrence. */
  key: string;
  /** An occurrence's time (epoch µs, as text); null for an entity. */
  occurredAt: string | null;
  /**
   * The events that stored it, sorted: for an entity the one that stored it (at most one), for an
   * occurrence every stored event with the same key and time; [] when it only repeats within the batch.
   */
  storedEventIds: string[];
}

export interface OrderTotal {
  /** Sum of unit_price × quantity over the order's stored lines, in minor units. */
  total: number;
  currency: string;
}

export interface EventBatchStore {
  /** Opens the transaction and empties the staging tables. */
  begin(): Promise<void>;
  /**
   * Appends one staged row. Every STAGING_FLUSH_ROWS rows the appender is flushed into the staging
   * table (synchronous, ≈ 1 ms), so no single call holds the event loop for a whole batch.
   */
  stageEvent(event: StagedEvent): void;
  /** Stored payloads of the staged event ids that are already in `events` (normally none). */
  findStoredEvents(): Promise<Map<string, string>>;
  /**
   * Staged events of entity-creating types (ENTITY_KEYS) whose entity id is stored already or staged
   * more than once, and of repeating types (OCCURRENCE_KEYS) whose order or return id and time are;
   * [] at once when the batch staged no such type.
   */
  findRepeatedEntities(): Promise<RepeatedEntity[]>;
  /** Stored payloads (`events.payload`) of these event ids; ids not stored are absent. */
  readStoredPayloads(eventIds: readonly string[]): Promise<Map<string, string>>;
  /** Totals of stored orders among `orderIds`; orders not stored are absent from the map. */
  readOrderTotals(orderIds: readonly string[]): Promise<Map<string, OrderTotal>>;
  /** Removes rejected events (duplicates, conflicts, invalid references) from staging. */
  unstage(seqs: readonly number[]): Promise<void>;
  /** Staged events → `events` and the fact tables. */
  insertStaged(ingestedAt: Date): Promise<void>;
  /**
   * After insertStaged, when the batch stored `risk.decision` events: the flags those decisions
   * decide follow them in this transaction (applyRecordedDecisions, the rule the API and the risk job
   * apply). Returns the open flags they closed.
   */
  applyStoredDecisions(): Promise<{ flagId: string; customerId: string }[]>;
  appendDuplicate(row: DuplicateRow): void;
  appendQuarantine(row: QuarantineRow): void;
  /** Appended duplicates and quarantine rows → their tables. */
  insertBookkeeping(at: Date): Promise<void>;
  /** Upserts next offsets, never moving one backwards; returns the offsets now stored. */
  upsertOffsets(offsets: readonly PartitionOffset[], at: Date): Promise<PartitionOffset[]>;
  commit(): Promise<void>;
  /** Rolls back; harmless when no transaction is open. */
  rollback(): Promise<void>;
  /** Closes the appenders (not the connection); closing twice is harmless. */
  close(): void;
}

export interface EventBatchWriterSettings {
  /**
   * DuckDB `checkpoint_threshold` (WAL size that triggers a checkpoint), e.g. '1GB'. DuckDB's 16 MB
   * default checkpoints after nearly every batch of ~1 KB events, and each checkpoint recompresses
   * the partly filled row groups again: measured as most of the COMMIT time (docs/ingest.md).
   */
  checkpointThreshold?: string;
  /** DuckDB `memory_limit`, e.g. '256MB' (bounds the buffer cache of the whole instance). */
  memoryLimit?: string;
  /**
   * DuckDB `threads` (instance-wide, so in `retour serve` the jobs get as many). The write of a
   * batch used about half the CPU with 1 thread than with 2 on this 2-core machine, where the
   * JavaScript thread already takes one core (docs/ingest.md § Speed). Default: DuckDB's (the cores).
   */
  threads?: number;
}

/**
 * Rows per synchronous appender flush. A flush costs ≈ 0.35 ms whatever its size plus ≈ 0.4 µs a row
 * in a quiet micro-benchmark (64-row flushes 6–7 µs a row, 2048-row ones 0.4 µs; one flush of 20,000
 * rows 13–18 ms), but 2048-row flushes of real events held the event loop 2–8 ms during ingest: 1024
 * rows keeps the fixed cost small (20 flushes per batch of 20k) and each flush short.
 */
export const STAGING_FLUSH_ROWS = 1024;

/** The types findRepeatedEntities looks at: entity-creating and repeating ones. */
const KEYED_TYPES = new Set([...ENTITY_KEYS, ...OCCURRENCE_KEYS].map((keyed) => keyed.eventType));

const BYTE_SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/**
 * Applies the writer's DuckDB settings. They are instance-wide (DuckDB has no per-connection
 * memory limit or checkpoint threshold); durability is unchanged — every COMMIT is still in the WAL.
 */
export async function applyEventBatchWriterSettings(connection: DuckDBConnection, settings: EventBatchWriterSettings): Promise<void> {
  const entries: [string, string | undefined][] = [
    ['checkpoint_threshold', settings.checkpointThreshold],
    ['memory_limit', settings.memoryLimit],
  ];
  if (settings.threads !== undefined) {
    if (!Number.isInteger(settings.threads) || settings.threads < 1 || settings.threads > 1024) {
      throw new RangeError(`threads must be an integer from 1 to 1024, got ${settings.threads}`);
    }
    try {
      await connection.run(`SET GLOBAL threads = ${settings.threads}`);
    } catch (error: unknown) {
      throw dbFailed('setting threads', error);
    }
  }
  for (const [name, value] of entries) {
    if (value === undefined || value === '') continue;
    // SET takes no parameters, so the value is checked and then inlined.
    if (!BYTE_SIZE.test(value)) throw new RangeError(`${name} must be a size such as 256MB or 1GiB, got ${JSON.stringify(value)}`);
    try {
      await connection.run(`SET GLOBAL ${name} = '${value}'`);
    } catch (error: unknown) {
      throw dbFailed(`setting ${name}`, error);
    }
  }
}

const CREATE_TEMP_TABLES = [
  // The appender fills ingest_staging: a payload arrives as bytes (Kafka) or text (import), and each
  // goes into its own column, so JavaScript never has to turn bytes into a string to stage them.
  // The statements of event-fact-statements.ts read it as it is (decode() of the bytes in each).
  `CREATE TEMP TABLE IF NOT EXISTS ingest_staging (
     seq INTEGER NOT NULL, event_id VARCHAR NOT NULL, type VARCHAR NOT NULL, payload_text VARCHAR, payload_bytes BLOB, canonical VARCHAR,
     topic VARCHAR NOT NULL, kafka_partition INTEGER NOT NULL, kafka_offset BIGINT NOT NULL)`,
  `CREATE TEMP TABLE IF NOT EXISTS ingest_staged_duplicates (
     event_id VARCHAR NOT NULL, repeat_of VARCHAR, topic VARCHAR NOT NULL, kafka_partition INTEGER NOT NULL, kafka_offset BIGINT NOT NULL)`,
  `CREATE TEMP TABLE IF NOT EXISTS ingest_staged_quarantine (
     raw BLOB NOT NULL, error_code VARCHAR NOT NULL, json_path VARCHAR NOT NULL, message VARCHAR NOT NULL, event_id VARCHAR, event_type VARCHAR,
     topic VARCHAR NOT NULL, kafka_partition INTEGER NOT NULL, kafka_offset BIGINT NOT NULL)`,
];

function appendOptional(appender: DuckDBAppender, value: string | null | undefined): void {
  if (value === null || value === undefined) appender.appendNull();
  else appender.appendVarchar(value);
}

function dbFailed(step: string, error: unknown): RetourError {
  if (error instanceof RetourError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RetourError('RETOUR_DB_FAILED', `ingest batch failed while ${step}: ${message}`, { cause: error });
}

/** `events.payload` of the given ids (the ids go as one JSON text, see readOrderTotals). */
async function readPayloads(connection: DuckDBConnection, eventIds: readonly string[]): Promise<Map<string, string>> {
  const stored = new Map<string, string>();
  if (eventIds.length === 0) return stored;
  const reader = await connection.runAndReadAll(`SELECT event_id, payload FROM events WHERE event_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))`, {
    ids: JSON.stringify(eventIds),
  });
  for (const [eventId, payload] of reader.getRows()) stored.set(String(eventId), String(payload));
  return stored;
}

/** Stores the next offsets of a batch's partitions (one JSON text for all) and returns what is stored. */
const UPSERT_OFFSETS = `INSERT INTO ingest_offsets (topic, kafka_partition, next_offset, updated_at)
  SELECT o.topic, o.kafka_partition, o.next_offset, $at::TIMESTAMPTZ
  FROM (SELECT unnest(from_json($offsets, '[{"topic":"VARCHAR","kafka_partition":"INTEGER","next_offset":"BIGINT"}]')) AS o)
  ON CONFLICT (topic, kafka_partition) DO UPDATE
    SET next_offset = greatest(ingest_offsets.next_offset, excluded.next_offset), updated_at = excluded.updated_at
  RETURNING topic, kafka_partition, next_offset`;

/** Creates the temp tables and appenders on `connection` (which the caller keeps and closes). */
export async function openEventBatchStore(connection: DuckDBConnection): Promise<EventBatchStore> {
  for (const sql of CREATE_TEMP_TABLES) await connection.run(sql);
  const staging = await connection.createAppender('ingest_staging', 'main', 'temp');
  const duplicates = await connection.createAppender('ingest_staged_duplicates', 'main', 'temp');
  const quarantine = await connection.createAppender('ingest_staged_quarantine', 'main', 'temp');
  const appenders = [staging, duplicates, quarantine];
  // The per-batch statements, prepared once per connection on first use: parsing and planning the
  // 13 JSON-heavy inserts costs ≈ 9 ms per batch (measured), executing them prepared ≈ 3 ms, and a
  // prepared statement with parameters runs in one round trip (connection.run with parameters takes
  // three: extract, prepare, run). Prepared without DuckDB's statistics propagation, so a plan does
  // not keep what the staging and fact tables held in the batch that prepared it (see that file).
  const prepared = new Map<string, DuckDBPreparedStatement>();
  const statement = async (sql: string): Promise<DuckDBPreparedStatement> => {
    let found = prepared.get(sql);
    if (found === undefined) {
      found = await prepareWithoutStatistics(connection, sql);
      prepared.set(sql, found);
    }
    return found;
  };
  const runPrepared = async (step: string, sql: string, values?: Record<string, string>): Promise<void> => {
    try {
      const ready = await statement(sql);
      if (values !== undefined) ready.bind(values);
      await ready.run();
    } catch (error: unknown) {
      throw dbFailed(step, error);
    }
  };
  let closed = false;
  let inTransaction = false;
  let stagedSinceFlush = 0;
  /** Event types staged in this batch: fact statements of other types are skipped. */
  const stagedTypes = new Set<string>();
  /**
   * Duplicates and quarantine rows: appended in this batch (none: no INSERT), and whether their temp
   * table may hold rows (none: no DELETE). A ROLLBACK undoes the DELETE of begin() too, so it sets
   * the latter again.
   */
  const bookkeeping = { duplicates: 0, quarantine: 0, duplicatesInTable: false, quarantineInTable: false };

  const run = async (step: string, sql: string): Promise<void> => {
    try {
      await connection.run(sql);
    } catch (error: unknown) {
      throw dbFailed(step, error);
    }
  };
  const flush = (step: string, appender: DuckDBAppender): void => {
    try {
      appender.flushSync();
    } catch (error: unknown) {
      throw dbFailed(step, error);
    }
  };
  const flushStaging = (): void => {
    if (stagedSinceFlush === 0) return;
    flush('staging events', staging);
    stagedSinceFlush = 0;
  };
  return {
    async begin() {
      if (closed) throw new RetourError('RETOUR_DB_FAILED', 'the event batch writer is closed');
      // Rows left in an appender by a failed batch land in the temp tables here and are deleted below.
      for (const appender of appenders) flush('clearing the previous batch', appender);
      stagedSinceFlush = 0;
      stagedTypes.clear();
      // One call for all statements (each call is a round trip to DuckDB's threads and back to the
      // event loop, ≈ 1–3 ms when the API shares the loop). Most batches hold no duplicate and no
      // bad message, so their temp tables are usually left alone.
      const statements = ['BEGIN TRANSACTION', 'DELETE FROM ingest_staging'];
      if (bookkeeping.duplicatesInTable) statements.push('DELETE FROM ingest_staged_duplicates');
      if (bookkeeping.quarantineInTable) statements.push('DELETE FROM ingest_staged_quarantine');
      // Set before the call: if BEGIN ran and a DELETE failed, rollback() must still end the transaction.
      inTransaction = true;
      await run('opening the transaction and clearing staging', statements.join(';\n'));
      Object.assign(bookkeeping, { duplicates: 0, quarantine: 0, duplicatesInTable: false, quarantineInTable: false });
    },
    stageEvent(event) {
      staging.appendInteger(event.seq);
      staging.appendVarchar(event.eventId);
      staging.appendVarchar(event.type);
      if (typeof event.payload === 'string') {
        staging.appendVarchar(event.payload);
        staging.appendNull();
      } else {
        staging.appendNull();
        staging.appendBlob(event.payload);
      }
      appendOptional(staging, event.canonical);
      staging.appendVarchar(event.topic);
      staging.appendInteger(event.partition);
      staging.appendBigInt(BigInt(event.offset));
      staging.endRow();
      stagedTypes.add(event.type);
      if (++stagedSinceFlush >= STAGING_FLUSH_ROWS) flushStaging();
    },
    async findStoredEvents() {
      flushStaging();
      try {
        // Two steps: the join scans only the event_id column of `events` (it grows with every batch);
        // payloads, ~500 bytes each, are read only for the ids found, which is normally none.
        const found = await connection.runAndReadAll(`SELECT event_id FROM events WHERE event_id IN (SELECT event_id FROM ingest_staging)`);
        return await readPayloads(
          connection,
          found.getRows().map(([eventId]) => String(eventId)),
        );
      } catch (error: unknown) {
        throw dbFailed('looking up stored event ids', error);
      }
    },
    async findRepeatedEntities() {
      const types = [...stagedTypes].filter((type) => KEYED_TYPES.has(type)).sort();
      if (types.length === 0) return [];
      flushStaging();
      try {
        // Prepared once per set of keyed types in a batch (sorted; at most 2¹⁰ − 1). Before statements were
        // prepared without statistics, a prepared `SELECT DISTINCT order_id FROM orders WHERE …`
        // prepared while `orders` was empty later returned "p" for "o1", so this was planned per batch.
        const reader = await (await statement(findRepeatedEntitiesSql(types))).runAndReadAll();
        return reader.getRowsJS().map(([seq, type, key, occurredAt, storedEventIds]) => ({
          seq: Number(seq),
          type: String(type),
          key: String(key),
          occurredAt: occurredAt === null ? null : String(occurredAt),
          storedEventIds: (storedEventIds as unknown[]).map(String),
        }));
      } catch (error: unknown) {
        throw dbFailed('looking up stored entity ids and occurrences', error);
      }
    },
    async readStoredPayloads(eventIds) {
      try {
        return await readPayloads(connection, eventIds);
      } catch (error: unknown) {
        throw dbFailed('reading stored events', error);
      }
    },
    async readOrderTotals(orderIds) {
      const totals = new Map<string, OrderTotal>();
      if (orderIds.length === 0) return totals;
      try {
        // The ids go as one JSON text, not a LIST parameter: binding a list makes a native call per
        // element on the JavaScript thread (5–6 ms for the refund order ids of one batch).
        const reader = await connection.runAndReadAll(
          `SELECT order_id, sum(unit_price * quantity)::BIGINT AS total, any_value(currency) AS currency
           FROM order_lines WHERE order_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]'))) GROUP BY order_id`,
          { ids: JSON.stringify(orderIds) },
        );
        for (const [orderId, total, currency] of reader.getRows()) totals.set(String(orderId), { total: Number(total), currency: String(currency) });
        return totals;
      } catch (error: unknown) {
        throw dbFailed('reading order totals', error);
      }
    },
    async unstage(seqs) {
      if (seqs.length === 0) return;
      flushStaging();
      try {
        await connection.run(`DELETE FROM ingest_staging WHERE seq IN (SELECT unnest(from_json($seqs, '["INTEGER"]')))`, { seqs: JSON.stringify(seqs) });
      } catch (error: unknown) {
        throw dbFailed('removing rejected events from staging', error);
      }
    },
    async insertStaged(ingestedAt) {
      flushStaging();
      await runPrepared('inserting events', INSERT_STAGED_EVENTS, { ingestedAt: ingestedAt.toISOString() });
      for (const fact of INSERT_STAGED_FACTS) {
        if (stagedTypes.has(fact.eventType)) await runPrepared(`inserting ${fact.table}`, fact.sql);
      }
    },
    async applyStoredDecisions() {
      try {
        // ingest_staging holds exactly the events this batch stores (the rejected ones were unstaged),
        // so an echo of the API's own decision — a duplicate — is not applied a second time.
        const applied = await applyRecordedDecisions(connection, { decisionEventIdsSql: `SELECT event_id FROM ingest_staging WHERE type = 'risk.decision'` });
        return [...applied.closed];
      } catch (error: unknown) {
        throw dbFailed('applying review decisions to their flags', error);
      }
    },
    appendDuplicate(row) {
      duplicates.appendVarchar(row.eventId);
      appendOptional(duplicates, row.repeatOf);
      duplicates.appendVarchar(row.topic);
      duplicates.appendInteger(row.partition);
      duplicates.appendBigInt(BigInt(row.offset));
      duplicates.endRow();
      bookkeeping.duplicates++;
      bookkeeping.duplicatesInTable = true;
    },
    appendQuarantine(row) {
      quarantine.appendBlob(row.raw);
      quarantine.appendVarchar(row.errorCode);
      quarantine.appendVarchar(row.jsonPath);
      quarantine.appendVarchar(row.message);
      appendOptional(quarantine, row.eventId);
      appendOptional(quarantine, row.eventType);
      quarantine.appendVarchar(row.topic);
      quarantine.appendInteger(row.partition);
      quarantine.appendBigInt(BigInt(row.offset));
      quarantine.endRow();
      bookkeeping.quarantine++;
      bookkeeping.quarantineInTable = true;
    },
    async insertBookkeeping(at) {
      const values = { at: at.toISOString() };
      if (bookkeeping.duplicates > 0) {
        flush('staging duplicates', duplicates);
        await runPrepared(
          'inserting duplicates',
          `INSERT INTO ingest_duplicates (event_id, topic, kafka_partition, kafka_offset, seen_at, repeat_of)
           SELECT event_id, topic, kafka_partition, kafka_offset, $at::TIMESTAMPTZ, repeat_of FROM ingest_staged_duplicates`,
          values,
        );
      }
      if (bookkeeping.quarantine > 0) {
        flush('staging quarantine', quarantine);
        await runPrepared(
          'inserting quarantine',
          // A re-import reads the same lines again (Kafka never re-reads: offsets commit with the
          // rows), so an import's message already quarantined for the same reason is not added twice.
          `INSERT INTO quarantine (raw, error_code, json_path, message, event_id, event_type, topic, kafka_partition, kafka_offset, quarantined_at)
           SELECT raw, error_code, json_path, message, event_id, event_type, topic, kafka_partition, kafka_offset, $at::TIMESTAMPTZ
           FROM ingest_staged_quarantine AS staged
           WHERE NOT (staged.topic LIKE 'import:%' AND EXISTS (
             SELECT 1 FROM quarantine AS earlier
             WHERE earlier.topic = staged.topic AND earlier.kafka_partition = staged.kafka_partition
               AND earlier.kafka_offset = staged.kafka_offset AND earlier.error_code = staged.error_code AND earlier.raw = staged.raw))`,
          values,
        );
      }
    },
    async upsertOffsets(offsets, at) {
      if (offsets.length === 0) return [];
      try {
        // One statement for all partitions of the batch (each statement costs ≈ 1 ms however small);
        // the offsets go as one JSON text, like the id lists above.
        const upsert = await statement(UPSERT_OFFSETS);
        upsert.bind({
          offsets: JSON.stringify(offsets.map((offset) => ({ topic: offset.topic, kafka_partition: offset.partition, next_offset: offset.nextOffset }))),
          at: at.toISOString(),
        });
        const reader = await upsert.runAndReadAll();
        const stored = new Map<string, number>();
        for (const [topic, partition, nextOffset] of reader.getRows()) stored.set(JSON.stringify([String(topic), Number(partition)]), Number(nextOffset));
        // In the order given (RETURNING promises none).
        return offsets.map((offset) => {
          const nextOffset = stored.get(JSON.stringify([offset.topic, offset.partition]));
          if (nextOffset === undefined) throw new Error(`no stored offset returned for ${offset.topic}[${offset.partition}]`);
          return { topic: offset.topic, partition: offset.partition, nextOffset };
        });
      } catch (error: unknown) {
        throw dbFailed('storing the next offsets', error);
      }
    },
    async commit() {
      await run('committing', 'COMMIT');
      inTransaction = false;
    },
    async rollback() {
      if (!inTransaction) return;
      inTransaction = false;
      bookkeeping.duplicatesInTable = true;
      bookkeeping.quarantineInTable = true;
      try {
        await connection.run('ROLLBACK');
      } catch {
        // The connection may be gone (the reason we roll back); DuckDB discards the transaction then.
      }
    },
    close() {
      if (closed) return;
      closed = true;
      for (const ready of prepared.values()) ready.destroySync();
      prepared.clear();
      for (const appender of appenders) {
        try {
          appender.closeSync();
        } catch {
          // Closing flushes; on a closed connection that fails, and there is nothing left to keep.
        }
      }
    },
  };
}
