/**
 * The heart of ingest: one micro-batch of raw messages (from Kafka or `retour import`) becomes one
 * DuckDB transaction — events, typed facts, duplicates, quarantine and the next offsets — so that a
 * crash at any point loses nothing and stores nothing twice (docs/ingest.md).
 *
 * JavaScript parses and validates each message (for precise errors) and appends one staging row per
 * valid event; DuckDB does the rest set-based: the anti-join against stored ids, the insert into
 * `events` and the extraction of fact rows with its own JSON functions.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../config/load-config.ts';
import type { RetourErrorCode } from '../domain/errors/error-catalogue.ts';
import {
  applyEventBatchWriterSettings,
  openEventBatchStore,
  type EventBatchStore,
  type EventBatchWriterSettings,
  type OrderTotal,
  type RepeatedEntity,
} from '../store/event-batch-store.ts';
import { ENTITY_KEYS, OCCURRENCE_KEYS } from '../store/event-fact-statements.ts';
import { readStoredOffsets as readOffsets } from '../store/read-stored-offsets.ts';
import { retryWriteConflicts } from '../store/retry-write-conflicts.ts';
import { dropNullAttributes, type EventRejection } from '../domain/events/decode-event.ts';
import { decodeRawMessage, payloadText, type DecodedEvent, type DecodedMessage } from './decode-raw-message.ts';
import { findJsonDifference } from './find-json-difference.ts';
import { createEventLoopSlicer } from './yield-to-event-loop.ts';

export interface RawMessage {
  topic: string;
  partition: number;
  offset: number;
  value: Uint8Array | string | null;
  /**
   * Decided before decoding by whoever made the message (a CSV row that could not be mapped): the
   * message is quarantined with this rejection, `value` kept as its raw text. Kafka messages never
   * carry one.
   */
  rejection?: EventRejection;
}

export interface QuarantinedMessage {
  message: RawMessage;
  code: RetourErrorCode;
  path: string;
  reason: string;
  eventId?: string;
  eventType?: string;
}

export interface BatchOutcome {
  consumed: number;
  stored: number;
  duplicates: number;
  /** So the caller can publish them to the dead-letter topic. */
  quarantined: QuarantinedMessage[];
  /** The next offsets now stored in ingest_offsets (never lower than before the batch). */
  nextOffsets: { topic: string; partition: number; nextOffset: number }[];
  storedByType: Record<string, number>;
  /**
   * Open flags closed in this transaction by the `risk.decision` events the batch stored (from another
   * publisher: the API's own come back as duplicates); `retour serve` tells the API's snapshots.
   */
  closedFlags: { flagId: string; customerId: string }[];
}

export interface IngestBatchOptions {
  /** Messages larger than this many bytes are quarantined as RETOUR_EVENT_OVERSIZE. */
  maxEventBytes: number;
  /** Clock for ingested_at / quarantined_at / seen_at (default: the system clock), read once per batch. */
  now?: () => Date;
  /** Longest synchronous stretch of the JavaScript work of a batch before it yields to the event loop (default 1 ms). */
  sliceMs?: number;
}

/** What ingestBatch writes through: temp tables and appenders on one connection of the writer. */
export interface EventBatchWriter {
  readonly connection: DuckDBConnection;
  /** Closes the appenders (the connection stays the caller's); idempotent. */
  close(): void;
}

const stores = new WeakMap<EventBatchWriter, EventBatchStore>();

export type { EventBatchWriterSettings };

/**
 * The writer settings of a process that owns its database (`retour ingest`, `retour import`):
 * checkpoint threshold and memory limit from the configuration, and `threads` when given (0 or
 * absent = DuckDB's default).
 */
export function writerSettingsFromConfig(config: Partial<Pick<Config, 'duckdbCheckpointThreshold' | 'duckdbMemoryLimit'>>, threads?: number): EventBatchWriterSettings {
  const settings: EventBatchWriterSettings = {};
  if (config.duckdbCheckpointThreshold !== undefined) settings.checkpointThreshold = config.duckdbCheckpointThreshold;
  if (config.duckdbMemoryLimit !== undefined) settings.memoryLimit = config.duckdbMemoryLimit;
  if (threads !== undefined && threads > 0) settings.threads = threads;
  return settings;
}

/**
 * Opens whatever the writer needs on its own DuckDB connection (appenders, temp tables); close() is
 * idempotent. `settings` (optional) are DuckDB settings for a writing process — instance-wide.
 */
export async function createEventBatchWriter(connection: DuckDBConnection, settings: EventBatchWriterSettings = {}): Promise<EventBatchWriter> {
  await applyEventBatchWriterSettings(connection, settings);
  const store = await openEventBatchStore(connection);
  const writer: EventBatchWriter = { connection, close: () => store.close() };
  stores.set(writer, store);
  return writer;
}

/** The next offset to read per (topic, partition), as committed with the data. */
export async function readStoredOffsets(connection: DuckDBConnection): Promise<{ topic: string; partition: number; nextOffset: number }[]> {
  return readOffsets(connection);
}

function checkMessage(message: RawMessage, index: number): void {
  if (!Number.isSafeInteger(message.offset) || message.offset < 0) {
    throw new RangeError(`messages[${index}].offset must be a non-negative safe integer, got ${message.offset}`);
  }
  if (!Number.isInteger(message.partition) || message.partition < 0 || message.partition > 2_147_483_647) {
    throw new RangeError(`messages[${index}].partition must be a non-negative 32-bit integer, got ${message.partition}`);
  }
  if (typeof message.topic !== 'string' || message.topic === '') throw new TypeError(`messages[${index}].topic must be a non-empty string`);
}

function rawBytes(value: RawMessage['value']): Uint8Array {
  if (value === null) return new Uint8Array(0);
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** max offset + 1 per (topic, partition), in first-seen order. */
function nextOffsetsOf(messages: readonly RawMessage[]): { topic: string; partition: number; nextOffset: number }[] {
  // Keyed by topic, then partition: no key string built per message (a batch holds up to ~10^5 of
  // them, and this loop runs unsliced).
  const byTopic = new Map<string, Map<number, { topic: string; partition: number; nextOffset: number }>>();
  const ordered: { topic: string; partition: number; nextOffset: number }[] = [];
  for (const message of messages) {
    let partitions = byTopic.get(message.topic);
    if (partitions === undefined) byTopic.set(message.topic, (partitions = new Map()));
    const current = partitions.get(message.partition);
    if (current === undefined) {
      const entry = { topic: message.topic, partition: message.partition, nextOffset: message.offset + 1 };
      partitions.set(message.partition, entry);
      ordered.push(entry);
    } else if (message.offset + 1 > current.nextOffset) current.nextOffset = message.offset + 1;
  }
  return ordered;
}

function checkOptions(options: IngestBatchOptions): void {
  if (!Number.isInteger(options.maxEventBytes) || options.maxEventBytes < 1) {
    throw new RangeError(`maxEventBytes must be a positive integer, got ${options.maxEventBytes}`);
  }
}

/**
 * Decodes every message of a batch (pure JavaScript, no I/O). Split from writeDecodedBatch so a
 * caller can decode the next batch while DuckDB still works on the previous one.
 */
export function decodeBatch(messages: readonly RawMessage[], options: IngestBatchOptions): DecodedMessage[] {
  checkOptions(options);
  messages.forEach(checkMessage);
  return messages.map((message) => decodeMessage(message, options.maxEventBytes));
}

function decodeMessage(message: RawMessage, maxEventBytes: number): DecodedMessage {
  return message.rejection === undefined ? decodeRawMessage(message.value, maxEventBytes) : { ok: false, rejection: message.rejection };
}

/**
 * decodeBatch in slices of about `sliceMs` (default 1 ms) that yield to the event loop in between,
 * for callers that share their process with latency-sensitive work (the API in `retour serve`).
 */
export async function decodeBatchInSlices(messages: readonly RawMessage[], options: IngestBatchOptions): Promise<DecodedMessage[]> {
  checkOptions(options);
  const slicer = createEventLoopSlicer(options.sliceMs);
  const decoded = new Array<DecodedMessage>(messages.length);
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index]!;
    checkMessage(message, index);
    decoded[index] = decodeMessage(message, options.maxEventBytes);
    if (slicer.due()) await slicer.pause();
  }
  return decoded;
}

/**
 * An event's message text parsed for the duplicate comparison: optional attributes set to null are
 * dropped, as the decoder does, since they mean the same as absent ones (docs/events.md).
 */
function parseForComparison(text: string): unknown {
  const value = JSON.parse(text) as Record<string, unknown>;
  dropNullAttributes(value);
  return value;
}

/** The validated event a decoded message was made from (parsed again: only the rare id-collision path needs it). */
function parsedEvent(decoded: DecodedEvent): unknown {
  return parseForComparison(payloadText(decoded.payload));
}

/** `data` of a parsed, validated event. */
function dataOf(event: unknown): unknown {
  return (event as { data: unknown }).data;
}

/** How a quarantine message names an entity and what created it, per entity-creating type. */
const ENTITY_WORDING: Readonly<Record<string, { noun: string; created: string }>> = {
  'order.placed': { noun: 'order', created: 'placed' },
  'return.requested': { noun: 'return', created: 'requested' },
  'refund.issued': { noun: 'refund', created: 'issued' },
  'claim.opened': { noun: 'claim', created: 'opened' },
  'risk.decision': { noun: 'decision', created: 'made' },
};
const ENTITY_FIELDS = new Map(ENTITY_KEYS.map((entity) => [entity.eventType, entity.dataField]));
/** Types that repeat per order or return: a copy (same `data`) is a re-send, other data a fact of its own. */
const OCCURRENCE_TYPES = new Set(OCCURRENCE_KEYS.map((occurrence) => occurrence.eventType));

/**
 * One DuckDB transaction: events + facts + duplicates + quarantine + offsets, then COMMIT. Rolls back
 * and rethrows on failure (RETOUR_DB_FAILED with the DuckDB error as cause).
 * Invariant: consumed = stored + duplicates + quarantined.length.
 *
 * @example
 * const writer = await createEventBatchWriter(await database.connect());
 * const outcome = await ingestBatch(writer, [{ topic: 'marketplace.orders', partition: 0, offset: 41, value: text }], { maxEventBytes: 65536 });
 */
export async function ingestBatch(writer: EventBatchWriter, messages: readonly RawMessage[], options: IngestBatchOptions): Promise<BatchOutcome> {
  return writeDecodedBatch(writer, messages, decodeBatch(messages, options), options);
}

/** The transactional half of ingestBatch, for messages already decoded by decodeBatch. */
export async function writeDecodedBatch(
  writer: EventBatchWriter,
  messages: readonly RawMessage[],
  decoded: readonly DecodedMessage[],
  options: IngestBatchOptions,
): Promise<BatchOutcome> {
  if (decoded.length !== messages.length) throw new RangeError(`decoded has ${decoded.length} entries for ${messages.length} messages; they must match`);
  const store = stores.get(writer);
  if (store === undefined) throw new TypeError('writer must come from createEventBatchWriter');
  if (messages.length === 0) return { consumed: 0, stored: 0, duplicates: 0, quarantined: [], nextOffsets: [], storedByType: {}, closedFlags: [] };
  const at = (options.now ?? (() => new Date()))();
  // Optimistic first: a batch normally holds no id that is already stored, and looking stored ids
  // up is a join against all of events.event_id, which grows with the table (≈ 0.3 s per batch of
  // 20k at 1M stored events). Without the lookup, the primary key of `events` (its ART index, a
  // point probe per row) still refuses a stored id; the transaction is then rolled back whole and
  // the batch written again with the lookup, which decides duplicate vs conflict exactly as before.
  // The repeated entities of the first attempt hold for the second (the rollback left the stored facts
  // as they were, and the staged events are the same); one that was stored by the staged event's own
  // id is a stored id, so the first attempt stops there instead of waiting for the primary key.
  const firstAttempt: WriteAttempt = { lookUpStoredIds: false };
  try {
    return await retryWriteConflicts(() => writeOnce(store, messages, decoded, options, at, firstAttempt));
  } catch (error: unknown) {
    if (!(error instanceof StoredIdStaged) && !isPrimaryKeyViolation(error)) throw error;
  }
  return retryWriteConflicts(() => writeOnce(store, messages, decoded, options, at, { lookUpStoredIds: true, repeatedEntities: firstAttempt.repeatedEntities }));
}

interface WriteAttempt {
  lookUpStoredIds: boolean;
  /** Set by the attempt that looked them up, reused by the next one. */
  repeatedEntities?: readonly RepeatedEntity[] | undefined;
}

/** The first attempt found a staged event whose entity that very event id stored: a replay. */
class StoredIdStaged extends Error {}

/** The map key of an entity or occurrence: type, entity (or order, return) id and an occurrence's time. */
function entityName(repeated: RepeatedEntity): string {
  return `${repeated.type}\u0000${repeated.key}\u0000${repeated.occurredAt ?? ''}`;
}

/** DuckDB's "Duplicate key … violates primary key constraint", anywhere in the cause chain. */
function isPrimaryKeyViolation(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (/Duplicate key .* violates primary key constraint/.test(current.message)) return true;
  }
  return false;
}

async function writeOnce(
  store: EventBatchStore,
  messages: readonly RawMessage[],
  decoded: readonly DecodedMessage[],
  options: IngestBatchOptions,
  at: Date,
  attempt: WriteAttempt,
): Promise<BatchOutcome> {
  const { lookUpStoredIds } = attempt;
  const outcome: BatchOutcome = { consumed: messages.length, stored: 0, duplicates: 0, quarantined: [], nextOffsets: [], storedByType: {}, closedFlags: [] };

  const quarantine = (index: number, code: RetourErrorCode, path: string, reason: string, eventId?: string, eventType?: string): void => {
    const message = messages[index]!;
    const entry: QuarantinedMessage = { message, code, path, reason };
    if (eventId !== undefined) entry.eventId = eventId;
    if (eventType !== undefined) entry.eventType = eventType;
    outcome.quarantined.push(entry);
    store.appendQuarantine({
      raw: rawBytes(message.value),
      errorCode: code,
      jsonPath: path,
      message: reason,
      eventId,
      eventType,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
    });
  };

  await store.begin();
  try {
    const refundOrderIds = new Set<string>();
    // Staging is the per-event cost of the write: sliced so that the event loop keeps turning.
    const slicer = createEventLoopSlicer(options.sliceMs);
    for (let index = 0; index < decoded.length; index++) {
      const result = decoded[index]!;
      if (!result.ok) continue;
      const message = messages[index]!;
      store.stageEvent({
        seq: index,
        eventId: result.id,
        type: result.type,
        payload: result.payload,
        canonical: result.canonical,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
      });
      if (result.type === 'refund.issued' && result.orderId !== undefined) refundOrderIds.add(result.orderId);
      if (slicer.due()) await slicer.pause();
    }
    const storedPayloads = lookUpStoredIds ? await store.findStoredEvents() : new Map<string, string>();
    const storedTotals: Map<string, OrderTotal> = await store.readOrderTotals([...refundOrderIds]);
    // Entities (orders, returns, refunds, claims, decisions) and occurrences (deliveries, receipts,
    // inspections, closures, feedback: same order or return and time) that a staged event may repeat
    // under an id of its own: normally none, and then nothing more is read.
    attempt.repeatedEntities ??= await store.findRepeatedEntities();
    const repeatedEntities = new Map<number, RepeatedEntity>();
    const storingEventIds = new Set<string>();
    for (const repeated of attempt.repeatedEntities) {
      repeatedEntities.set(repeated.seq, repeated);
      const ownId = (decoded[repeated.seq] as DecodedEvent).id;
      for (const storedEventId of repeated.storedEventIds) {
        // Stored by this very event id: a replay, which the id check decides (with the stored-id lookup).
        if (storedEventId === ownId) {
          if (!lookUpStoredIds) throw new StoredIdStaged();
        } else {
          storingEventIds.add(storedEventId);
        }
      }
    }
    const storingPayloads = await store.readStoredPayloads([...storingEventIds]);
    const storedEntityData = new Map<string, unknown>();
    const storedDataOf = (eventId: string): unknown => {
      if (!storedEntityData.has(eventId)) storedEntityData.set(eventId, dataOf(JSON.parse(storingPayloads.get(eventId)!)));
      return storedEntityData.get(eventId);
    };
    /** The events accepted so far in this batch per entity or occurrence (one per entity, several per occurrence). */
    const acceptedEntities = new Map<string, DecodedEvent[]>();

    // Sequential pass in arrival order: what counts as "earlier in the same batch" depends on it.
    const storedEvents = new Map<string, unknown>();
    const acceptedInBatch = new Map<string, DecodedEvent>();
    const batchOrderTotals = new Map<string, OrderTotal>();
    const unstaged: number[] = [];
    for (let index = 0; index < decoded.length; index++) {
      if (slicer.due()) await slicer.pause();
      const result = decoded[index]!;
      if (!result.ok) {
        const { code, path, message, eventId, eventType } = result.rejection;
        quarantine(index, code, path, message, eventId, eventType);
        continue;
      }
      const earlier = acceptedInBatch.get(result.id);
      const storedPayload = storedPayloads.get(result.id);
      if (earlier !== undefined || storedPayload !== undefined) {
        let reference: unknown;
        if (storedPayload !== undefined) {
          if (!storedEvents.has(result.id)) storedEvents.set(result.id, parseForComparison(storedPayload));
          reference = storedEvents.get(result.id);
        } else {
          reference = parsedEvent(earlier!);
        }
        unstaged.push(index);
        const difference = findJsonDifference(reference, parsedEvent(result));
        if (difference === undefined) {
          outcome.duplicates++;
          const message = messages[index]!;
          store.appendDuplicate({ eventId: result.id, topic: message.topic, partition: message.partition, offset: message.offset });
        } else {
          const where = storedPayload !== undefined ? 'was already stored' : 'came earlier in this batch';
          quarantine(index, 'RETOUR_EVENT_ID_CONFLICT', difference, `${difference}: event id ${JSON.stringify(result.id)} ${where} with different content (first difference at ${difference})`, result.id, result.type);
        }
        continue;
      }
      const entity = repeatedEntities.get(index);
      // Stored by this very event id (a replay the id check above let through: cannot happen once
      // ids are looked up, and the first attempt stopped on it) is left to the primary key.
      if (entity !== undefined && !entity.storedEventIds.includes(result.id)) {
        const earlierInBatch = acceptedEntities.get(entityName(entity)) ?? [];
        // The same entity or occurrence is the same `data`; the envelope (id, time, source, …) may differ between sends.
        const data = dataOf(parsedEvent(result));
        const message = messages[index]!;
        const repeats = (reference: unknown): boolean => findJsonDifference(reference, data, '$.data') === undefined;
        if (OCCURRENCE_TYPES.has(entity.type)) {
          // Any stored or earlier event with the same data: a re-send. None: a fact of its own (a second
          // partial delivery, another grade at the same time), stored below.
          const repeatOf =
            entity.storedEventIds.find((storedEventId) => repeats(storedDataOf(storedEventId))) ?? earlierInBatch.find((earlier) => repeats(dataOf(parsedEvent(earlier))))?.id;
          if (repeatOf !== undefined) {
            unstaged.push(index);
            outcome.duplicates++;
            store.appendDuplicate({ eventId: result.id, repeatOf, topic: message.topic, partition: message.partition, offset: message.offset });
            continue;
          }
        } else {
          const stored = entity.storedEventIds[0];
          const earlier = earlierInBatch[0];
          const referenceId = stored ?? earlier?.id;
          if (referenceId !== undefined) {
            const referenceData = stored !== undefined ? storedDataOf(stored) : dataOf(parsedEvent(earlier!));
            unstaged.push(index);
            const difference = findJsonDifference(referenceData, data, '$.data');
            if (difference === undefined) {
              outcome.duplicates++;
              store.appendDuplicate({ eventId: result.id, repeatOf: referenceId, topic: message.topic, partition: message.partition, offset: message.offset });
            } else {
              const path = `$.data.${ENTITY_FIELDS.get(entity.type)!}`;
              const wording = ENTITY_WORDING[entity.type]!;
              const where = stored !== undefined ? '' : ' earlier in this batch';
              const reason = `${path}: ${wording.noun} ${JSON.stringify(entity.key)} was already ${wording.created} by event ${JSON.stringify(referenceId)}${where} with other data (first difference at ${difference})`;
              quarantine(index, 'RETOUR_EVENT_ENTITY_CONFLICT', path, reason, result.id, result.type);
            }
            continue;
          }
        }
      }
      if (result.type === 'refund.issued' && result.orderId !== undefined) {
        const stored = storedTotals.get(result.orderId);
        const inBatch = batchOrderTotals.get(result.orderId);
        if (stored !== undefined || inBatch !== undefined) {
          const paid = (stored?.total ?? 0) + (inBatch?.total ?? 0);
          // The currency the order was paid in: the stored one, else the one in this batch.
          const paidCurrency = stored?.currency ?? inBatch!.currency;
          const orderName = JSON.stringify(result.orderId);
          // Amounts in different currencies cannot be compared: such a refund contradicts its order.
          const rejection =
            result.currency !== paidCurrency
              ? {
                  path: '$.data.currency',
                  reason: `$.data.currency: refund of ${result.amount} ${result.currency} is in ${result.currency}, but order ${orderName} was paid in ${paidCurrency} (${paid} ${paidCurrency})`,
                }
              : result.amount > paid
                ? {
                    path: '$.data.amount',
                    reason: `$.data.amount: refund of ${result.amount} ${result.currency} is above the ${paid} ${paidCurrency} paid for order ${orderName} (sum of unitPrice × quantity of its lines)`,
                  }
                : undefined;
          if (rejection !== undefined) {
            unstaged.push(index);
            quarantine(index, 'RETOUR_EVENT_REFERENCE_INVALID', rejection.path, rejection.reason, result.id, result.type);
            continue;
          }
        }
      }
      if (result.type === 'order.placed' && result.orderId !== undefined) {
        const earlierTotal = batchOrderTotals.get(result.orderId);
        batchOrderTotals.set(result.orderId, { total: (earlierTotal?.total ?? 0) + result.amount, currency: earlierTotal?.currency ?? result.currency ?? '' });
      }
      acceptedInBatch.set(result.id, result);
      if (entity !== undefined) {
        const name = entityName(entity);
        acceptedEntities.set(name, [...(acceptedEntities.get(name) ?? []), result]);
      }
      outcome.stored++;
      outcome.storedByType[result.type] = (outcome.storedByType[result.type] ?? 0) + 1;
    }

    await store.unstage(unstaged);
    await store.insertStaged(at);
    if ((outcome.storedByType['risk.decision'] ?? 0) > 0) outcome.closedFlags = await store.applyStoredDecisions();
    await store.insertBookkeeping(at);
    outcome.nextOffsets = await store.upsertOffsets(nextOffsetsOf(messages), at);
    await store.commit();
    return outcome;
  } catch (error: unknown) {
    await store.rollback();
    throw error;
  }
}
