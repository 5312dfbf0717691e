/**
 * `runKafkaIngest` against the real broker: every kind of bad message, duplicates and out-of-order
 * facts reconcile exactly; dead letters carry their error; positions come from DuckDB whether the
 * group's committed offsets are behind it or ahead of it; a second writer is refused; an
 * unreachable broker ends `retour ingest` with a clear error.
 */
import { randomBytes } from 'node:crypto';
import type { Message } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../../config/load-config.ts';
import { runKafkaIngest, type KafkaIngestSummary } from '../../ingest/kafka-ingest.ts';
import { generateBenchEvents } from '../../scripts/bench/generate-bench-events.ts';
import { openDatabase } from '../../store/open-database.ts';
import { createTopic, deleteConsumerGroups, deleteTopics, kafkaBrokers, uniqueTopicName, withAdmin } from '../support/kafka.ts';
import { customerKey, produceInChunks, queryDatabase, readTopic, startRetour, temporaryDatabase } from './kafka-ingest-helpers.ts';

const silent = pino({ level: 'silent' });

function envelope(id: string, type: string, data: Record<string, unknown>): Record<string, unknown> {
  return { specversion: '1.0', id, source: 'test', type, time: '2026-03-01T10:00:00Z', datacontenttype: 'application/json', dataschema: 'retour/v1', data };
}

const orderA = envelope('evt_order_a', 'order.placed', {
  orderId: 'ord_a',
  customerId: 'cus_a',
  placedAt: '2026-03-01T10:00:00Z',
  currency: 'EUR',
  lines: [
    { lineId: 'l1', productId: 'prd_1', category: 'apparel', quantity: 2, unitPrice: 1000 },
    { lineId: 'l2', productId: 'prd_2', category: 'apparel', quantity: 1, unitPrice: 500 },
  ],
});

/** Hand-made messages: facts out of order, and one of every kind of bad input. */
function specialMessages(): { messages: Message[]; valid: number; quarantinedByCode: Record<string, number> } {
  const json = (event: Record<string, unknown>): Message => ({ key: 'cus_a', value: JSON.stringify(event) });
  const valid = [
    json(orderA),
    // Out of order: the delivery of ord_b before its order, the inspection of ret_a before its request.
    json(envelope('evt_delivery_b', 'order.delivered', { orderId: 'ord_b', customerId: 'cus_a', deliveredAt: '2026-03-03T10:00:00Z' })),
    json(envelope('evt_inspection_a', 'return.inspected', { returnId: 'ret_a', inspectedAt: '2026-03-09T10:00:00Z', lines: [{ lineId: 'l1', condition: 'A_new', disposition: 'restock' }] })),
    json(envelope('evt_request_a', 'return.requested', {
      returnId: 'ret_a', orderId: 'ord_a', customerId: 'cus_a', requestedAt: '2026-03-05T10:00:00Z', method: 'mail', resolution: 'refund',
      lines: [{ lineId: 'l1', productId: 'prd_1', quantity: 1, reason: 'fit.too_small' }],
    })),
    json(envelope('evt_order_b', 'order.placed', {
      orderId: 'ord_b', customerId: 'cus_a', placedAt: '2026-03-01T11:00:00Z', currency: 'EUR',
      lines: [{ lineId: 'l1', productId: 'prd_3', category: 'shoes', quantity: 1, unitPrice: 7000 }],
    })),
    json(envelope('evt_refund_ok', 'refund.issued', { refundId: 'rfd_a1', returnId: 'ret_a', orderId: 'ord_a', customerId: 'cus_a', issuedAt: '2026-03-10T10:00:00Z', amount: 1000, currency: 'EUR', method: 'original_payment' })),
  ];
  const bad: Message[] = [
    { key: 'cus_a', value: '{"specversion": "1.0", "id": ' }, // not JSON
    { key: 'cus_a', value: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, // not UTF-8
    json(envelope('evt_unknown', 'order.teleported', { orderId: 'ord_x' })),
    json(envelope('evt_schema', 'order.delivered', { orderId: 'ord_x', deliveredAt: '2026-03-03T10:00:00Z' })), // customerId missing
    json(envelope('evt_oversize', 'return.feedback', { returnId: 'ret_a', customerId: 'cus_a', submittedAt: '2026-03-11T10:00:00Z', rating: 4, comment: 'x'.repeat(9000) })),
    json(envelope('evt_negative', 'return.received', { returnId: 'ret_a', receivedAt: '2026-03-08T10:00:00Z', lines: [{ lineId: 'l1', quantity: -1 }] })),
    // Not an ISO 4217 currency in circulation.
    json(envelope('evt_currency', 'refund.issued', { refundId: 'rfd_a9', returnId: 'ret_a', orderId: 'ord_a', customerId: 'cus_a', issuedAt: '2026-03-10T10:00:00Z', amount: 1, currency: 'XYZ', method: 'original_payment' })),
    json(envelope('evt_refund_high', 'refund.issued', { refundId: 'rfd_a2', orderId: 'ord_a', customerId: 'cus_a', issuedAt: '2026-03-10T10:00:00Z', amount: 2501, currency: 'EUR', method: 'original_payment' })),
    json({ ...orderA, data: { ...(orderA['data'] as object), currency: 'USD' } }), // same id, different content
    // The refund of ret_a under a new event id with another amount (the same id with the same data is a duplicate, below).
    json(envelope('evt_refund_again', 'refund.issued', { refundId: 'rfd_a1', returnId: 'ret_a', orderId: 'ord_a', customerId: 'cus_a', issuedAt: '2026-03-10T10:00:00Z', amount: 900, currency: 'EUR', method: 'original_payment' })),
  ];
  return {
    messages: [...valid, ...bad],
    valid: valid.length,
    quarantinedByCode: {
      RETOUR_EVENT_NOT_JSON: 2,
      RETOUR_EVENT_UNKNOWN_TYPE: 1,
      RETOUR_EVENT_SCHEMA_INVALID: 3,
      RETOUR_EVENT_OVERSIZE: 1,
      RETOUR_EVENT_REFERENCE_INVALID: 1,
      RETOUR_EVENT_ID_CONFLICT: 1,
      RETOUR_EVENT_ENTITY_CONFLICT: 1 + ENTITY_TYPES.length,
    },
  };
}

const ENTITY_TYPES = [
  { type: 'order.placed', time: 'placedAt' },
  { type: 'return.requested', time: 'requestedAt' },
  { type: 'refund.issued', time: 'issuedAt' },
  { type: 'claim.opened', time: 'openedAt' },
];

/**
 * The first entity of each entity-creating type in `texts` re-sent under a new event id (as a
 * producer that mints an id per retry would, with a new `time`) with the same data — a duplicate —
 * and the second one with another date in its data — quarantined. Same Kafka key as the original.
 */
function entityResends(texts: readonly string[]): Message[] {
  const resends: Message[] = [];
  for (const { type, time } of ENTITY_TYPES) {
    const originals = texts.filter((text) => text.includes(`"type":"${type}"`)).slice(0, 2);
    if (originals.length < 2) throw new Error(`the bulk holds fewer than two ${type} events`);
    const [same, changed] = originals.map((text) => JSON.parse(text) as Record<string, unknown> & { id: string; data: Record<string, unknown> });
    resends.push({ key: customerKey(originals[0]!), value: JSON.stringify({ ...same, id: `${same!.id}_again`, time: '2026-06-01T00:00:00Z' }) });
    resends.push({ key: customerKey(originals[1]!), value: JSON.stringify({ ...changed, id: `${changed!.id}_again`, data: { ...changed!.data, [time]: '2026-06-01T00:00:00Z' } }) });
  }
  return resends;
}

/** Types that repeat per order or return, with the member holding when it happened. */
const OCCURRENCE_TYPES = [
  { type: 'order.delivered', time: 'deliveredAt' },
  { type: 'return.inspected', time: 'inspectedAt' },
];

/**
 * The first delivery and inspection in `texts` re-sent under a new event id (and `time`) with the
 * same data — a duplicate — and the second one under a new id at another time in its data — a fact
 * of its own (a later delivery, a re-inspection), stored. Same Kafka key as the original.
 */
function occurrenceResends(texts: readonly string[]): Message[] {
  const resends: Message[] = [];
  for (const { type, time } of OCCURRENCE_TYPES) {
    const originals = texts.filter((text) => text.includes(`"type":"${type}"`)).slice(0, 2);
    if (originals.length < 2) throw new Error(`the bulk holds fewer than two ${type} events`);
    const [same, later] = originals.map((text) => JSON.parse(text) as Record<string, unknown> & { id: string; data: Record<string, unknown> });
    resends.push({ key: customerKey(originals[0]!), value: JSON.stringify({ ...same, id: `${same!.id}_again`, time: '2026-06-01T00:00:00Z' }) });
    resends.push({ key: customerKey(originals[1]!), value: JSON.stringify({ ...later, id: `${later!.id}_later`, data: { ...later!.data, [time]: '2026-06-01T00:00:00Z' } }) });
  }
  return resends;
}

const RESENT = 25;
const bulk = generateBenchEvents({ events: 3000, seed: 11 }).map((text): Message => ({ key: customerKey(text), value: text }));
/** The generator finishes the order it is on, so it may give a few more than asked. */
const BULK = bulk.length;
const special = specialMessages();
/** order ord_b under a new event id with the same data: a duplicate, like the RESENT copies of the bulk. */
const orderBAgain: Message = { key: 'cus_a', value: special.messages[4]!.value!.toString().replace('"evt_order_b"', '"evt_order_b_again"') };
const resentEntities = entityResends(bulk.map((message) => message.value!.toString()));
const resentOccurrences = occurrenceResends(bulk.map((message) => message.value!.toString()));
/** Re-sent messages counted as duplicates: the RESENT copies, one entity per type of ENTITY_TYPES and ord_b, one occurrence per type of OCCURRENCE_TYPES. */
const DUPLICATES = RESENT + ENTITY_TYPES.length + 1 + OCCURRENCE_TYPES.length;
/** The occurrences re-sent at another time: stored. */
const LATER_OCCURRENCES = OCCURRENCE_TYPES.length;
const phaseOne: Message[] = [...bulk.slice(0, 1500), ...special.messages, orderBAgain, ...bulk.slice(1500), ...bulk.slice(0, RESENT), ...resentEntities, ...resentOccurrences];
const quarantinedTotal = Object.values(special.quarantinedByCode).reduce((sum, count) => sum + count, 0);

interface Suite {
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly groupId: string;
  /** Consume and decode on the ingest worker thread (as `retour serve` does) or on the test's thread. */
  readonly decodeInWorker: boolean;
}

async function ingestUntilIdle(databasePath: string, { topic, deadLetterTopic, groupId, decodeInWorker }: Suite): Promise<KafkaIngestSummary> {
  const config = configWith({
    RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','),
    RETOUR_TOPICS: topic,
    RETOUR_GROUP_ID: groupId,
    RETOUR_TOPIC_DLQ: deadLetterTopic,
    RETOUR_MAX_EVENT_BYTES: '8192',
    RETOUR_BATCH_MAX_EVENTS: '1000',
    RETOUR_BATCH_MAX_WAIT_MS: '100',
    RETOUR_INGEST_THREAD: decodeInWorker ? 'worker' : 'main',
  });
  const database = await openDatabase({ path: databasePath });
  try {
    return await runKafkaIngest({ connection: await database.connect(), config, logger: silent, signal: new AbortController().signal, exitWhenIdleMs: 1500 });
  } finally {
    database.close();
  }
}

async function countRows(path: string, table: string): Promise<number> {
  return Number((await queryDatabase(path, `SELECT count(*) AS n FROM ${table}`))[0]!['n']);
}

describe.each([
  { thread: 'on the writer thread', decodeInWorker: false },
  { thread: 'on the ingest worker thread', decodeInWorker: true },
])('retour ingest from Kafka, consuming and decoding $thread', ({ decodeInWorker }) => {
  const suite: Suite = { topic: uniqueTopicName('ingest-events'), deadLetterTopic: uniqueTopicName('ingest-dlq'), groupId: uniqueTopicName('ingest-group'), decodeInWorker };
  const { topic, deadLetterTopic, groupId } = suite;
  const databases: { remove: () => void }[] = [];
  const main = temporaryDatabase('kafka-ingest');
  databases.push(main);
  let first: KafkaIngestSummary;

  beforeAll(async () => {
    await createTopic(topic, 3);
    await createTopic(deadLetterTopic, 2);
    await produceInChunks(topic, phaseOne);
    first = await ingestUntilIdle(main.path, suite);
  });

  afterAll(async () => {
    await deleteConsumerGroups([groupId]);
    await deleteTopics([topic, deadLetterTopic]);
    for (const database of databases) database.remove();
  });

  it('reconciles consumed = stored + duplicates + quarantined, with every bad input quarantined by its code', async () => {
    expect(first).toMatchObject({
      consumed: phaseOne.length,
      stored: BULK + special.valid + LATER_OCCURRENCES,
      duplicates: DUPLICATES,
      quarantined: quarantinedTotal,
      stoppedBy: 'idle',
    });
    expect(first.consumed).toBe(first.stored + first.duplicates + first.quarantined);
    expect(await countRows(main.path, 'events')).toBe(BULK + special.valid + LATER_OCCURRENCES);
    expect(await countRows(main.path, 'ingest_duplicates')).toBe(DUPLICATES);
    // Each entity once in its fact table, whatever was re-sent under new ids.
    const repeatedKeys = await queryDatabase(
      main.path,
      `SELECT (SELECT count(*) - count(DISTINCT order_id) FROM orders)::INTEGER AS orders, (SELECT count(*) - count(DISTINCT return_id) FROM return_requests)::INTEGER AS returns,
              (SELECT count(*) - count(DISTINCT refund_id) FROM refunds)::INTEGER AS refunds, (SELECT count(*) - count(DISTINCT claim_id) FROM claims)::INTEGER AS claims`,
    );
    expect(repeatedKeys[0]).toEqual({ orders: 0, returns: 0, refunds: 0, claims: 0 });
    const repeats = await queryDatabase(main.path, `SELECT event_id, repeat_of FROM ingest_duplicates WHERE repeat_of IS NOT NULL ORDER BY event_id`);
    expect(repeats).toHaveLength(ENTITY_TYPES.length + 1 + OCCURRENCE_TYPES.length);
    expect(repeats).toContainEqual({ event_id: 'evt_order_b_again', repeat_of: 'evt_order_b' });
    for (const repeat of repeats) expect(repeat['event_id']).toBe(`${String(repeat['repeat_of'])}_again`);
    // Each delivery and inspection event once in its fact table: the copies not, the later ones as facts of their own.
    const occurrenceEvents = await queryDatabase(
      main.path,
      `SELECT (SELECT count(*) FROM events WHERE type = 'order.delivered')::INTEGER AS deliveryEvents, (SELECT count(DISTINCT event_id) FROM deliveries)::INTEGER AS deliveries,
              (SELECT count(*) FROM events WHERE type = 'return.inspected')::INTEGER AS inspectionEvents, (SELECT count(DISTINCT event_id) FROM inspections)::INTEGER AS inspections,
              (SELECT count(*) FROM events WHERE ends_with(event_id, '_later'))::INTEGER AS later, (SELECT count(*) FROM events WHERE ends_with(event_id, '_again'))::INTEGER AS again`,
    );
    const bulkOfType = (type: string) => bulk.filter((message) => message.value!.toString().includes(`"type":"${type}"`)).length;
    // The special messages hold one valid delivery (ord_b) and one valid inspection (ret_a).
    expect(occurrenceEvents[0]).toEqual({
      deliveryEvents: bulkOfType('order.delivered') + 1 + 1,
      deliveries: bulkOfType('order.delivered') + 1 + 1,
      inspectionEvents: bulkOfType('return.inspected') + 1 + 1,
      inspections: bulkOfType('return.inspected') + 1 + 1,
      later: LATER_OCCURRENCES,
      again: 0,
    });
    const byCode = await queryDatabase(main.path, 'SELECT error_code, count(*)::INTEGER AS n FROM quarantine GROUP BY error_code');
    expect(Object.fromEntries(byCode.map((row) => [row['error_code'], row['n']]))).toEqual(special.quarantinedByCode);
  });

  it('stores facts that arrive out of order', async () => {
    const rows = await queryDatabase(
      main.path,
      `SELECT (SELECT count(*) FROM inspections WHERE return_id = 'ret_a')::INTEGER AS inspections,
              (SELECT count(*) FROM return_requests WHERE return_id = 'ret_a')::INTEGER AS requests,
              (SELECT count(*) FROM deliveries WHERE order_id = 'ord_b')::INTEGER AS deliveries,
              (SELECT count(*) FROM orders WHERE order_id = 'ord_b')::INTEGER AS orders`,
    );
    expect(rows[0]).toEqual({ inspections: 1, requests: 1, deliveries: 1, orders: 1 });
  });

  it('publishes every quarantined message to the dead-letter topic with the error and its origin in headers', async () => {
    const letters = await readTopic(deadLetterTopic, quarantinedTotal);
    expect(letters).toHaveLength(quarantinedTotal);
    const quarantine = await queryDatabase(main.path, 'SELECT error_code, json_path, message, kafka_partition, kafka_offset FROM quarantine');
    const expected = quarantine.map((row) => `${String(row['kafka_partition'])}/${String(row['kafka_offset'])}/${String(row['error_code'])}/${String(row['json_path'])}/${String(row['message'])}`).sort();
    const received = letters
      .map((letter) => {
        expect(letter.headers['retour.original.topic']).toBe(topic);
        expect(letter.key).toBe(`${topic}/${letter.headers['retour.original.partition']}/${letter.headers['retour.original.offset']}`);
        return `${letter.headers['retour.original.partition']}/${letter.headers['retour.original.offset']}/${letter.headers['retour.error.code']}/${letter.headers['retour.error.path']}/${letter.headers['retour.error.reason']}`;
      })
      .sort();
    expect(received).toEqual(expected);
    const notUtf8 = letters.find((letter) => letter.value !== null && letter.value[2] === 0xff);
    expect(notUtf8?.value).toEqual(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    const conflict = letters.find((letter) => letter.headers['retour.error.code'] === 'RETOUR_EVENT_ID_CONFLICT');
    expect(conflict?.headers).toMatchObject({ 'retour.event.id': 'evt_order_a', 'retour.event.type': 'order.placed' });
    const entityConflict = letters.find((letter) => letter.headers['retour.event.id'] === 'evt_refund_again');
    expect(entityConflict?.headers).toMatchObject({
      'retour.error.code': 'RETOUR_EVENT_ENTITY_CONFLICT',
      'retour.error.path': '$.data.refundId',
    });
    // "earlier in this batch" when both came in one batch, which the consumer decides.
    expect(entityConflict?.headers['retour.error.reason']).toMatch(
      /^\$\.data\.refundId: refund "rfd_a1" was already issued by event "evt_refund_ok"( earlier in this batch)? with other data \(first difference at \$\.data\.amount\)$/,
    );
  });

  it('resumes from the offsets in DuckDB when the group committed less (crash before the Kafka commit), and re-sends dead letters', async () => {
    const more = generateBenchEvents({ events: 200, seed: 12, idPrefix: 'more_' }).map((text): Message => ({ key: customerKey(text), value: text }));
    await produceInChunks(topic, [...more, ...bulk.slice(100, 103)]);
    // The group is empty now: rewind its committed offsets to the start, as if every Kafka commit had been lost.
    await withAdmin((admin) => admin.resetOffsets({ groupId, topic, earliest: true }));
    const second = await ingestUntilIdle(main.path, suite);
    expect(second).toMatchObject({ consumed: more.length + 3, stored: more.length, duplicates: 3, quarantined: 0, deadLettersRecovered: quarantinedTotal });
    expect(await countRows(main.path, 'events')).toBe(BULK + special.valid + LATER_OCCURRENCES + more.length);
    expect(await countRows(main.path, 'ingest_duplicates')).toBe(DUPLICATES + 3);
    // At least once: each dead letter is there twice now, none is missing.
    const letters = await readTopic(deadLetterTopic, 2 * quarantinedTotal);
    expect(letters).toHaveLength(2 * quarantinedTotal);
    const offsets = await queryDatabase(main.path, `SELECT kafka_partition AS partition, next_offset FROM ingest_offsets WHERE topic = '${topic}' ORDER BY 1`);
    const high = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
    expect(offsets.map((row) => Number(row['next_offset']))).toEqual(high.sort((a, b) => a.partition - b.partition).map((entry) => Number(entry.high)));
  });

  it('reads from the start for a new database even when the group committed everything (Kafka ahead of DuckDB)', async () => {
    const fresh = temporaryDatabase('kafka-ingest-fresh');
    databases.push(fresh);
    const summary = await ingestUntilIdle(fresh.path, suite);
    const high = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
    const total = high.reduce((sum, entry) => sum + Number(entry.high), 0);
    expect(summary.consumed).toBe(total);
    expect(await countRows(fresh.path, 'events')).toBe(await countRows(main.path, 'events'));
  });

  it('reports lag per partition in retour status --json: high watermark minus the stored next offset', async () => {
    await produceInChunks(topic, bulk.slice(0, 7).map((message) => ({ ...message, key: 'lag-test' })));
    const run = startRetour(['status', '--json'], { RETOUR_DATABASE: main.path, RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','), RETOUR_TOPICS: topic });
    let stdout = '';
    run.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    expect(await run.exited, run.stderr()).toBe(0);
    const status = JSON.parse(stdout) as { lagTotal: number; kafka: { reachable: boolean }; offsets: { lag: number; highWatermark: number; nextOffset: number }[] };
    expect(status.kafka.reachable).toBe(true);
    expect(status.lagTotal).toBe(7);
    for (const offset of status.offsets) expect(offset.lag).toBe(offset.highWatermark - offset.nextOffset);
  });
});

describe('retour ingest as a process', () => {
  const topic = uniqueTopicName('ingest-process');
  const groupId = uniqueTopicName('ingest-process-group');
  const databases: { remove: () => void }[] = [];

  beforeAll(async () => {
    await createTopic(topic, 1);
  });

  afterAll(async () => {
    await deleteConsumerGroups([`${groupId}-fresh`]);
    await deleteTopics([topic]);
    for (const database of databases) database.remove();
  });

  it('refuses a second process on the same database, naming the process that holds it', async () => {
    const held = temporaryDatabase('kafka-ingest-held');
    databases.push(held);
    const database = await openDatabase({ path: held.path });
    try {
      const run = startRetour(['ingest', '--exit-when-idle', '1'], {
        RETOUR_DATABASE: held.path,
        RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','),
        RETOUR_TOPICS: topic,
        RETOUR_GROUP_ID: `${groupId}-fresh`,
      });
      expect(await run.exited).toBe(1);
      expect(run.stderr()).toContain(`is in use by PID ${process.pid}`);
      expect(run.stderr()).toContain('RETOUR_DB_IN_USE');
    } finally {
      database.close();
    }
  });

  it('exits non-zero with a clear message when no broker answers, instead of hanging', async () => {
    const unreachable = temporaryDatabase('kafka-ingest-unreachable');
    databases.push(unreachable);
    const run = startRetour(['ingest'], {
      RETOUR_DATABASE: unreachable.path,
      // A port nothing listens on (randomised to dodge a local service).
      RETOUR_KAFKA_BROKERS: `127.0.0.1:${1 + (randomBytes(1)[0]! % 20)}`,
      RETOUR_TOPICS: topic,
    });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/retour: Kafka at 127\.0\.0\.1:\d+ failed to .*\(RETOUR_KAFKA_UNAVAILABLE\)/);
    // The reason is also a JSON log line, for log pipelines that only read those.
    const fatal = run.stderr().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; code?: string; msg: string }).find((line) => line.level === 60);
    expect(fatal).toMatchObject({ code: 'RETOUR_KAFKA_UNAVAILABLE', msg: 'retour ingest stopped on an error' });
  }, 90_000);
});

describe('a fresh cluster', () => {
  it('ingest starts on topics that do not exist yet (the broker creates them) and reads them once they have messages', async () => {
    const missing = uniqueTopicName('ingest-not-yet');
    const groupId = uniqueTopicName('ingest-not-yet-group');
    const database = temporaryDatabase('kafka-ingest-not-yet');
    try {
      const first = await ingestUntilIdle(database.path, { topic: missing, deadLetterTopic: `${missing}-dlq`, groupId, decodeInWorker: true });
      expect(first).toMatchObject({ consumed: 0, stoppedBy: 'idle' });
      await produceInChunks(missing, bulk.slice(0, 100));
      const second = await ingestUntilIdle(database.path, { topic: missing, deadLetterTopic: `${missing}-dlq`, groupId, decodeInWorker: true });
      expect(second).toMatchObject({ consumed: 100, stored: 100 });
    } finally {
      await deleteConsumerGroups([groupId]);
      await deleteTopics([missing, `${missing}-dlq`]);
      database.remove();
    }
  }, 90_000);
});
