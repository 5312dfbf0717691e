/**
 * Set-based SQL that moves one micro-batch from the `ingest_staging` temp table into `events` and the
 * typed fact tables. DuckDB parses the JSON itself (json_transform, unnest of line arrays), so the
 * JavaScript thread — the ingest bottleneck — only validates and appends one row per event.
 *
 * `ingest_staging` holds the payload as the appender got it: bytes (`payload_bytes`, Kafka) or text
 * (`payload_text`, imports); `decode()` makes VARCHAR of the bytes (checked as UTF-8 when decoded)
 * in each statement that reads them, which costs less than copying the whole batch into a second
 * table first (docs/ingest.md § Speed).
 *
 * `doc` is the event as DuckDB must read it: the canonical re-serialisation of the validated object
 * when the message text differs from it (duplicate keys, whitespace, 1e3-style numbers), otherwise
 * the message text itself. Reading the message text directly would be unsafe: DuckDB keeps the FIRST
 * of duplicate keys while JSON.parse (which validated the event) keeps the LAST.
 */

/** The staged payload as VARCHAR, whichever column it came in. */
const PAYLOAD = 'coalesce(payload_text, decode(payload_bytes))';
/** What DuckDB reads the event's fields from (see above). */
const DOC = `coalesce(canonical, payload_text, decode(payload_bytes))`;

/** A json_transform structure, written as an object and quoted for SQL. */
function shape(structure: Record<string, unknown>): string {
  return `'${JSON.stringify(structure).replace(/'/g, "''")}'`;
}

/** RFC 3339 text → TIMESTAMPTZ. DuckDB refuses the lower-case `t`/`z` that RFC 3339 allows. */
function timestamp(expression: string): string {
  return `upper(${expression})::TIMESTAMPTZ`;
}

/** `SELECT event_id, <transformed doc> AS e FROM ingest_staging WHERE type = …` */
function staged(type: string, data: Record<string, unknown>): string {
  return `SELECT event_id, json_transform(${DOC}, ${shape({ data })}).data AS d FROM ingest_staging WHERE type = '${type}'`;
}

const V = 'VARCHAR';

/** `data` of the types that repeat per order or return, as json_transform reads it (see OCCURRENCE_KEYS). */
const DELIVERED_DATA = { orderId: V, customerId: V, deliveredAt: V, lineIds: [V] };
const RECEIVED_DATA = { returnId: V, receivedAt: V, weightGrams: 'INTEGER', lines: [{ lineId: V, quantity: 'INTEGER' }] };
const INSPECTED_DATA = { returnId: V, inspectedAt: V, lines: [{ lineId: V, condition: V, fault: V, disposition: V }] };
const CLOSED_DATA = { returnId: V, closedAt: V, outcome: V };
const FEEDBACK_DATA = { returnId: V, customerId: V, submittedAt: V, rating: 'INTEGER', comment: V };

/** Inserts the staged rows into `events`; `$ingestedAt` is the batch's clock reading. */
export const INSERT_STAGED_EVENTS = `INSERT INTO events
  SELECT event_id, type, e.source, e.subject, ${timestamp('e.time')}, e.data.customerId, ${PAYLOAD}, topic, kafka_partition, kafka_offset, $ingestedAt::TIMESTAMPTZ
  FROM (SELECT *, json_transform(${DOC}, ${shape({ source: V, subject: V, time: V, data: { customerId: V } })}) AS e FROM ingest_staging)`;

/**
 * One statement per fact table; each reads only the staged events of its `eventType`, and is
 * skipped when the batch staged none of them (a statement costs ≈ 0.3–1 ms even when it inserts
 * nothing, and most batches hold no claims, feedback or decisions).
 */
export const INSERT_STAGED_FACTS: readonly { table: string; eventType: string; sql: string }[] = [
  {
    table: 'orders',
    eventType: 'order.placed',
    sql: `INSERT INTO orders
      SELECT d.orderId, d.customerId, ${timestamp('d.placedAt')}, d.currency, d.channel, d.addressHash, d.paymentFingerprint, d.deviceId, d.emailHash, event_id
      FROM (${staged('order.placed', { orderId: V, customerId: V, placedAt: V, currency: V, channel: V, addressHash: V, paymentFingerprint: V, deviceId: V, emailHash: V })})`,
  },
  {
    table: 'order_lines',
    eventType: 'order.placed',
    sql: `INSERT INTO order_lines
      SELECT d.orderId, l.lineId, d.customerId, l.productId, l.sellerId, l.category, l.quantity, l.unitPrice, d.currency, l.variant.size, l.variant.color, ${timestamp('d.placedAt')}, event_id
      FROM (SELECT event_id, d, unnest(d.lines) AS l FROM (${staged('order.placed', {
        orderId: V,
        customerId: V,
        placedAt: V,
        currency: V,
        lines: [{ lineId: V, productId: V, sellerId: V, category: V, quantity: 'INTEGER', unitPrice: 'BIGINT', variant: { size: V, color: V } }],
      })}))`,
  },
  {
    // No lineIds = the whole order was delivered: one row with line_id NULL.
    table: 'deliveries',
    eventType: 'order.delivered',
    sql: `INSERT INTO deliveries
      SELECT d.orderId, d.customerId, line_id, ${timestamp('d.deliveredAt')}, event_id
      FROM (SELECT event_id, d, unnest(coalesce(d.lineIds, [NULL::VARCHAR])) AS line_id FROM (${staged('order.delivered', DELIVERED_DATA)}))`,
  },
  {
    table: 'return_requests',
    eventType: 'return.requested',
    sql: `INSERT INTO return_requests
      SELECT d.returnId, d.orderId, d.customerId, ${timestamp('d.requestedAt')}, d.method, d.resolution, event_id
      FROM (${staged('return.requested', { returnId: V, orderId: V, customerId: V, requestedAt: V, method: V, resolution: V })})`,
  },
  {
    table: 'return_lines',
    eventType: 'return.requested',
    sql: `INSERT INTO return_lines
      SELECT d.returnId, d.orderId, d.customerId, l.lineId, l.productId, l.quantity, l.reason, l.comment, ${timestamp('d.requestedAt')}, event_id
      FROM (SELECT event_id, d, unnest(d.lines) AS l FROM (${staged('return.requested', {
        returnId: V,
        orderId: V,
        customerId: V,
        requestedAt: V,
        lines: [{ lineId: V, productId: V, quantity: 'INTEGER', reason: V, comment: V }],
      })}))`,
  },
  {
    table: 'return_receipts',
    eventType: 'return.received',
    sql: `INSERT INTO return_receipts
      SELECT d.returnId, l.lineId, l.quantity, ${timestamp('d.receivedAt')}, d.weightGrams, event_id
      FROM (SELECT event_id, d, unnest(d.lines) AS l FROM (${staged('return.received', RECEIVED_DATA)}))`,
  },
  {
    table: 'inspections',
    eventType: 'return.inspected',
    sql: `INSERT INTO inspections
      SELECT d.returnId, l.lineId, ${timestamp('d.inspectedAt')}, l.condition, l.fault, l.disposition, event_id
      FROM (SELECT event_id, d, unnest(d.lines) AS l FROM (${staged('return.inspected', INSPECTED_DATA)}))`,
  },
  {
    table: 'refunds',
    eventType: 'refund.issued',
    sql: `INSERT INTO refunds
      SELECT d.refundId, d.returnId, d.orderId, d.customerId, ${timestamp('d.issuedAt')}, d.amount, d.currency, d.method, event_id
      FROM (${staged('refund.issued', { refundId: V, returnId: V, orderId: V, customerId: V, issuedAt: V, amount: 'BIGINT', currency: V, method: V })})`,
  },
  {
    table: 'return_closures',
    eventType: 'return.closed',
    sql: `INSERT INTO return_closures
      SELECT d.returnId, ${timestamp('d.closedAt')}, d.outcome, event_id
      FROM (${staged('return.closed', CLOSED_DATA)})`,
  },
  {
    table: 'claims',
    eventType: 'claim.opened',
    sql: `INSERT INTO claims
      SELECT d.claimId, d.orderId, d.customerId, ${timestamp('d.openedAt')}, d.kind, event_id
      FROM (${staged('claim.opened', { claimId: V, orderId: V, customerId: V, openedAt: V, kind: V })})`,
  },
  {
    table: 'return_feedback',
    eventType: 'return.feedback',
    sql: `INSERT INTO return_feedback
      SELECT d.returnId, d.customerId, ${timestamp('d.submittedAt')}, d.rating, d.comment, event_id
      FROM (${staged('return.feedback', FEEDBACK_DATA)})`,
  },
  {
    table: 'risk_decisions',
    eventType: 'risk.decision',
    sql: `INSERT INTO risk_decisions
      SELECT d.decisionId, d.customerId, d.flagId, ${timestamp('d.decidedAt')}, d.decidedBy, d.verdict, d.fraudType, d.note, event_id
      FROM (${staged('risk.decision', { decisionId: V, customerId: V, flagId: V, decidedAt: V, decidedBy: V, verdict: V, fraudType: V, note: V })})`,
  },
];

/**
 * The event types that create an entity under an id of its own: one such event per entity, so the
 * same id under another event id is a re-send (or a contradiction), never a second entity.
 * `dataField` is the key in `data`, `table` and `column` where the stored key is.
 */
export const ENTITY_KEYS: readonly { eventType: string; dataField: string; table: string; column: string }[] = [
  { eventType: 'order.placed', dataField: 'orderId', table: 'orders', column: 'order_id' },
  { eventType: 'return.requested', dataField: 'returnId', table: 'return_requests', column: 'return_id' },
  { eventType: 'refund.issued', dataField: 'refundId', table: 'refunds', column: 'refund_id' },
  { eventType: 'claim.opened', dataField: 'claimId', table: 'claims', column: 'claim_id' },
  { eventType: 'risk.decision', dataField: 'decisionId', table: 'risk_decisions', column: 'decision_id' },
];

/**
 * The event types that legitimately repeat for one order or return — deliveries (partial ones),
 * receipts, inspections (re-inspections), closures, feedback — so they have no id of their own. Each
 * carries the time it happened (`timeField`): a second event of the type with the same `data` (so
 * the same order or return and the same time) is a re-send, one with other data a fact of its own.
 * Candidates are looked up by (`column`, `timeColumn`) of `table`; `dataShape` is the whole of their
 * `data` (the schemas allow no other member) for json_transform.
 */
export const OCCURRENCE_KEYS: readonly { eventType: string; dataField: string; timeField: string; table: string; column: string; timeColumn: string; dataShape: Record<string, unknown> }[] = [
  { eventType: 'order.delivered', dataField: 'orderId', timeField: 'deliveredAt', table: 'deliveries', column: 'order_id', timeColumn: 'delivered_at', dataShape: DELIVERED_DATA },
  { eventType: 'return.received', dataField: 'returnId', timeField: 'receivedAt', table: 'return_receipts', column: 'return_id', timeColumn: 'received_at', dataShape: RECEIVED_DATA },
  { eventType: 'return.inspected', dataField: 'returnId', timeField: 'inspectedAt', table: 'inspections', column: 'return_id', timeColumn: 'inspected_at', dataShape: INSPECTED_DATA },
  { eventType: 'return.closed', dataField: 'returnId', timeField: 'closedAt', table: 'return_closures', column: 'return_id', timeColumn: 'closed_at', dataShape: CLOSED_DATA },
  { eventType: 'return.feedback', dataField: 'returnId', timeField: 'submittedAt', table: 'return_feedback', column: 'return_id', timeColumn: 'submitted_at', dataShape: FEEDBACK_DATA },
];

/**
 * The staged events of `types` (entity-creating ones of ENTITY_KEYS and repeating ones of
 * OCCURRENCE_KEYS, those staged in this batch) that may repeat an earlier event: an entity whose key
 * is already in its fact table, or an occurrence whose (order or return id, time) is; or another
 * staged event of the batch has the same key. One row per such staged event: seq, type, entity_key,
 * occurred_at (epoch µs of an occurrence's time, NULL for an entity) and stored_event_ids — for an
 * entity the event that stored it (the least id if a database from before this check holds
 * several), for an occurrence every stored event with that key, sorted; [] when it only repeats
 * within the batch. Normally it returns nothing.
 *
 * Cost: the key of each staged event of those types is read from its JSON (`doc`, as the fact
 * statements read it), and each fact table is scanned on its key column (a semi-join probing the
 * batch's keys; the time and event_id are read only for the rows found).
 */
export function findRepeatedEntitiesSql(types: readonly string[]): string {
  const entities = ENTITY_KEYS.filter((entity) => types.includes(entity.eventType));
  const occurrences = OCCURRENCE_KEYS.filter((occurrence) => types.includes(occurrence.eventType));
  if (entities.length + occurrences.length === 0) throw new RangeError('findRepeatedEntitiesSql needs at least one entity or occurrence type');
  const keyed = [
    ...entities.map(
      (entity) => `SELECT seq, type, json_extract_string(${DOC}, '$.data.${entity.dataField}') AS entity_key, NULL::TIMESTAMPTZ AS occurred_at FROM ingest_staging WHERE type = '${entity.eventType}'`,
    ),
    ...occurrences.map(
      (occurrence) =>
        // Both members in one json_extract_string call parse the document once (two calls: 53 instead of 44 ms of CPU for the whole query per 20k batch, one scratch run).
        `SELECT seq, type, member[1] AS entity_key, ${timestamp('member[2]')} AS occurred_at FROM (SELECT seq, type, json_extract_string(${DOC}, ['$.data.${occurrence.dataField}', '$.data.${occurrence.timeField}']) AS member FROM ingest_staging WHERE type = '${occurrence.eventType}')`,
    ),
  ].join('\n    UNION ALL ');
  const stored = [
    ...entities.map(
      (entity) =>
        `SELECT '${entity.eventType}' AS type, ${entity.column} AS entity_key, NULL::TIMESTAMPTZ AS occurred_at, min(event_id) AS stored_event_id FROM ${entity.table} WHERE ${entity.column} IN (SELECT entity_key FROM keyed WHERE type = '${entity.eventType}') GROUP BY ${entity.column}`,
    ),
    // Every event of the order or return in the table (a few); the join below keeps those at the same time.
    ...occurrences.map(
      (occurrence) =>
        `SELECT DISTINCT '${occurrence.eventType}' AS type, ${occurrence.column} AS entity_key, ${occurrence.timeColumn} AS occurred_at, event_id AS stored_event_id FROM ${occurrence.table} WHERE ${occurrence.column} IN (SELECT entity_key FROM keyed WHERE type = '${occurrence.eventType}')`,
    ),
  ].join('\n    UNION ALL ');
  // Keys repeated within the batch by a GROUP BY (a window over the batch cost more), and the staged
  // rows joined to the (normally empty) set of repeated keys: a batch without repeats costs one scan
  // of staging, a hash aggregate and a scan of each key column, which DuckDB filters early with a
  // Bloom filter of the batch's keys (≈ 12–15 ms of CPU per 20,000 staged events against 1M stored
  // orders and 200k refunds, one thread; the occurrences add ≈ 20–25 ms at 200k stored events; docs/ingest.md).
  return `WITH keyed AS MATERIALIZED (
    ${keyed}
  ), repeated AS (
    ${stored}
    UNION ALL SELECT type, entity_key, occurred_at, NULL AS stored_event_id FROM keyed GROUP BY type, entity_key, occurred_at HAVING count(*) > 1
  )
  SELECT k.seq, k.type, k.entity_key, epoch_us(k.occurred_at) AS occurred_at,
    coalesce(list(r.stored_event_id ORDER BY r.stored_event_id) FILTER (WHERE r.stored_event_id IS NOT NULL), []) AS stored_event_ids
  FROM keyed k JOIN repeated r ON r.type = k.type AND r.entity_key = k.entity_key AND r.occurred_at IS NOT DISTINCT FROM k.occurred_at
  GROUP BY k.seq, k.type, k.entity_key, k.occurred_at`;
}

/**
 * One row per OCCURRENCE_KEYS type: type, its stored events, and how many of them repeat the `data`
 * of another stored event of the type (beyond the first) — the re-sends under new ids that a
 * database written before ingest checked them may hold. One read of the payloads of those types.
 * It reads `events.payload` as stored: json_transform ignores key order and white space as ingest's
 * comparison does, but takes an optional member set to null for an absent one, and the first of
 * duplicate keys where ingest took the last (both rare; the count may then be off by those events).
 */
export const COUNT_REPEATED_OCCURRENCES = OCCURRENCE_KEYS.map(
  (occurrence) =>
    `SELECT '${occurrence.eventType}' AS type, count(*)::BIGINT AS events, (count(*) - count(DISTINCT json_transform(payload, ${shape({ data: occurrence.dataShape })}).data))::BIGINT AS repeated FROM events WHERE type = '${occurrence.eventType}'`,
).join('\nUNION ALL ');
