/**
 * The API over real HTTP on a DuckDB file, publishing to the real Kafka broker of the integration
 * setup: the decision flow end to end (decide → the flag leaves the open queue → risk.decision on
 * the topic → its echo through ingest is a duplicate → the next training sees the label), and the
 * same for a corrected verdict (a second risk.decision; the label flips); and a decision another
 * publisher sends through Kafka, which ingest applies to its flag at once (no risk run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../../config/load-config.ts';
import { ingestBatch, createEventBatchWriter } from '../../ingest/ingest-batch.ts';
import { runKafkaIngest } from '../../ingest/kafka-ingest.ts';
import { decodeEvent } from '../../domain/events/decode-event.ts';
import { createEventProducer } from '../../messaging/producer/create-event-producer.ts';
import { appendLabelSnapshots, resetLabelTargets } from '../../store/risk/training-labels.ts';
import { createTopic, deleteConsumerGroups, deleteTopics, kafkaBrokers, testConsumer, uniqueTopicName } from '../support/kafka.ts';
import { createTestApi, snapshot, type TestApi } from './api-test-app.ts';

const directory = mkdtempSync(join(tmpdir(), 'retour-api-http-'));
const topic = uniqueTopicName('api-decisions');
const group = uniqueTopicName('api-decisions-reader');
const correctionGroup = uniqueTopicName('api-corrections-reader');
const otherPublisherTopic = uniqueTopicName('other-tool-decisions');
const otherPublisherDeadLetters = uniqueTopicName('other-tool-decisions-dlq');
const ingestGroup = uniqueTopicName('api-http-ingest');
const echoGroup = uniqueTopicName('api-echo-reader');
let api: TestApi;
let base: string;
const producer = createEventProducer({ brokers: kafkaBrokers(), clientId: 'retour-api-test', logger: pino({ level: 'silent' }), retries: 2 });

beforeAll(async () => {
  await createTopic(topic, 3);
  await createTopic(otherPublisherTopic, 1);
  await createTopic(otherPublisherDeadLetters, 1);
  api = await createTestApi({ path: join(directory, 'retour.duckdb'), config: { topicDecisions: topic }, dependencies: { producer } });
  base = await api.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
  await producer.close();
  await deleteConsumerGroups([group, correctionGroup, ingestGroup, echoGroup]).catch(() => undefined);
  await deleteTopics([topic, otherPublisherTopic, otherPublisherDeadLetters]);
  rmSync(directory, { recursive: true, force: true });
});

const call = (path: string, init: { method?: string; role?: keyof TestApi['keys']; body?: unknown; headers?: Record<string, string> } = {}) =>
  fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.role === undefined ? {} : { authorization: `Bearer ${api.keys[init.role]}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

async function readOneMessage(): Promise<KafkaMessage> {
  return (await readMessages({ group, key: undefined, count: 1 }))[0]!;
}

/** The first `count` messages on the topic (with that key, when given), read from the beginning by `group`. */
async function readMessages(options: { group: string; key: string | undefined; count: number }): Promise<KafkaMessage[]> {
  const consumer = testConsumer(options.group);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<KafkaMessage[]>((resolve, reject) => {
      const messages: KafkaMessage[] = [];
      const timer = setTimeout(() => reject(new Error(`${messages.length} of ${options.count} messages on ${topic} within 30 s`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (options.key !== undefined && message.key?.toString() !== options.key) return;
          messages.push(message);
          if (messages.length === options.count) {
            clearTimeout(timer);
            resolve(messages);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('API over HTTP', () => {
  it('answers health, problems and request ids over the wire', async () => {
    expect((await call('/healthz')).status).toBe(200);
    const ready = await call('/readyz');
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'open', migrationsApplied: true });
    const unauthorized = await call('/v1/flags', { headers: { 'x-request-id': 'http-req-1' } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unauthorized.headers.get('x-request-id')).toBe('http-req-1');
    const forbidden = await call('/v1/customers/cus_0/risk', { role: 'product' });
    expect(forbidden.status).toBe(403);
    const score = await call('/v1/risk/score', { role: 'service', method: 'POST', body: { customerId: 'cus_low', lines: [{ productId: 'p', quantity: 1, reason: 'other', unitPrice: 100 }] } });
    expect(await score.json()).toMatchObject({ decision: 'approve' });
    const decide = await call('/v1/flags/flg_01/decision', { role: 'service', method: 'POST', body: { verdict: 'fraud' } });
    expect(decide.status).toBe(403);
    const docs = (await (await call('/docs/json')).json()) as { openapi: string };
    expect(docs.openapi).toBe('3.1.0');
  });

  it('decision flow: the flag leaves the queue, risk.decision reaches Kafka, its echo is a duplicate, training sees the label', async () => {
    const queueIds = async () => ((await (await call('/v1/flags?limit=500', { role: 'risk' })).json()) as { flags: { flagId: string }[] }).flags.map((flag) => flag.flagId);
    expect(await queueIds()).toContain('flg_00');

    const response = await call('/v1/flags/flg_00/decision', { role: 'risk', method: 'POST', body: { verdict: 'fraud', fraudType: 'item_swap', note: 'swap confirmed' }, headers: { 'idempotency-key': 'flow-1' } });
    expect(response.status).toBe(200);
    const decision = (await response.json()) as { decisionId: string; published: boolean; customerId: string };
    expect(decision).toMatchObject({ customerId: 'cus_0', published: true });
    expect(await queueIds()).not.toContain('flg_00');

    const message = await readOneMessage();
    expect(message.key?.toString()).toBe('cus_0');
    const decoded = decodeEvent(message.value!);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok || decoded.event.type !== 'risk.decision') throw new Error('not a risk.decision');
    expect(decoded.event.data).toMatchObject({ decisionId: decision.decisionId, customerId: 'cus_0', flagId: 'flg_00', verdict: 'fraud', fraudType: 'item_swap', decidedBy: 'risk-tester' });

    const writer = await createEventBatchWriter(await api.database.connect());
    try {
      const outcome = await ingestBatch(writer, [{ topic, partition: 0, offset: 0, value: message.value! }], { maxEventBytes: 65_536 });
      expect(outcome).toMatchObject({ consumed: 1, stored: 0, duplicates: 1, quarantined: [] });
    } finally {
      writer.close();
    }
    const labels = (await api.connection.runAndReadAll(`SELECT count(*)::INTEGER FROM risk_decisions WHERE customer_id = 'cus_0'`)).getRows()[0]![0];
    expect(labels).toBe(1);

    const training = await api.database.connect();
    await resetLabelTargets(training);
    await appendLabelSnapshots(training, { firstSnapshot: new Date('2026-11-01T00:00:00Z'), lastSnapshot: new Date('2026-11-01T00:00:00Z'), stepDays: 7, horizonDays: 30, split: 'train' });
    const rows = (await training.runAndReadAll(`SELECT customer_id, label::INTEGER AS label FROM risk_targets`)).getRowObjectsJson();
    expect(rows).toEqual([{ customer_id: 'cus_0', label: 1 }]);

    // A retry with the same key replays the stored answer and publishes nothing new.
    const retry = await call('/v1/flags/flg_00/decision', { role: 'risk', method: 'POST', body: { verdict: 'fraud', fraudType: 'item_swap', note: 'swap confirmed' }, headers: { 'idempotency-key': 'flow-1' } });
    expect(((await retry.json()) as { decisionId: string }).decisionId).toBe(decision.decisionId);
    const outbox = (await api.connection.runAndReadAll(`SELECT count(*)::INTEGER, count(published_at)::INTEGER FROM api_outbox`)).getRows()[0];
    expect(outbox).toEqual([1, 1]);
  });

  it('correction flow: a second risk.decision reaches Kafka through the outbox, its echo is a duplicate, the flag and the label follow it', async () => {
    // cus_1 ordered in the year before the snapshot, so training has a row for it.
    await api.connection.run(`INSERT INTO orders VALUES ('ord_c1', 'cus_1', '2026-10-01T10:00:00Z', 'EUR', 'web', NULL, NULL, NULL, NULL, 'e_c1')`);
    const labelOfCus1 = async (): Promise<number | undefined> => {
      const training = await api.database.connect();
      await resetLabelTargets(training);
      await appendLabelSnapshots(training, { firstSnapshot: new Date('2026-11-01T00:00:00Z'), lastSnapshot: new Date('2026-11-01T00:00:00Z'), stepDays: 7, horizonDays: 30, split: 'train' });
      const rows = (await training.runAndReadAll(`SELECT label::INTEGER FROM risk_targets WHERE customer_id = 'cus_1'`)).getRows();
      return rows[0] === undefined ? undefined : Number(rows[0][0]);
    };
    const first = (await (await call('/v1/flags/flg_01/decision', { role: 'risk', method: 'POST', body: { verdict: 'legitimate' } })).json()) as { decisionId: string };
    expect(await labelOfCus1()).toBe(0);

    // Legitimate corrected to fraud within the label horizon: before the latest-decision rule, the legitimate verdict still overrode it.
    const body = { verdict: 'fraud', fraudType: 'empty_box', note: 'the second parcel from the same address was empty too', supersedes: first.decisionId };
    const response = await call('/v1/flags/flg_01/decision', { role: 'admin', method: 'POST', body, headers: { 'idempotency-key': 'correct-1' } });
    expect(response.status).toBe(200);
    const correction = (await response.json()) as { decisionId: string; supersedes: string; published: boolean; flagStatus: string };
    expect(correction).toMatchObject({ supersedes: first.decisionId, published: true, flagStatus: 'confirmed' });
    expect(correction.decisionId).not.toBe(first.decisionId);

    const messages = await readMessages({ group: correctionGroup, key: 'cus_1', count: 2 });
    const decoded = messages.map((message) => decodeEvent(message.value!));
    const data = decoded.map((result) => (result.ok && result.event.type === 'risk.decision' ? result.event.data : undefined));
    expect(data).toMatchObject([
      { decisionId: first.decisionId, flagId: 'flg_01', verdict: 'legitimate' },
      { decisionId: correction.decisionId, flagId: 'flg_01', verdict: 'fraud', fraudType: 'empty_box', decidedBy: 'admin-tester', note: body.note },
    ]);
    // Later by decidedAt, as the rule every consumer applies needs.
    expect(Date.parse(String(data[1]!.decidedAt))).toBeGreaterThan(Date.parse(String(data[0]!.decidedAt)));

    const writer = await createEventBatchWriter(await api.database.connect());
    try {
      const outcome = await ingestBatch(writer, messages.map((message, index) => ({ topic, partition: 1, offset: index, value: message.value! })), { maxEventBytes: 65_536 });
      expect(outcome).toMatchObject({ consumed: 2, stored: 0, duplicates: 2, quarantined: [] });
    } finally {
      writer.close();
    }
    const flag = (await (await call('/v1/flags/flg_01', { role: 'risk' })).json()) as { flag: { status: string }; decisions: { decisionId: string; current: boolean }[] };
    expect(flag.flag.status).toBe('confirmed');
    expect(flag.decisions.map((decision) => [decision.decisionId, decision.current])).toEqual([[correction.decisionId, true], [first.decisionId, false]]);
    // The next training reads the corrected verdict: the label flipped.
    expect(await labelOfCus1()).toBe(1);

    // A retry of the correction replays it and publishes nothing new.
    const retry = await call('/v1/flags/flg_01/decision', { role: 'admin', method: 'POST', body, headers: { 'idempotency-key': 'correct-1' } });
    expect(((await retry.json()) as { decisionId: string }).decisionId).toBe(correction.decisionId);
    const outbox = (await api.connection.runAndReadAll(`SELECT count(*)::INTEGER, count(published_at)::INTEGER FROM api_outbox`)).getRows()[0];
    expect(outbox).toEqual([3, 3]);
  });

  it('a decision another publisher sends through Kafka takes effect at once: the flag leaves the open queue and openFlagId is null, without a risk run', async () => {
    const snapshots = api.app.retour.riskSnapshots;
    snapshots.replace(new Map([...snapshots.get(), ['cus_2', snapshot('cus_2', { score: 0.97, tier: 'high', openFlagId: 'flg_02' })]]));
    const queueIds = async () => ((await (await call('/v1/flags?limit=500', { role: 'risk' })).json()) as { flags: { flagId: string }[] }).flags.map((flag) => flag.flagId);
    const openFlagOfCus2 = async () => ((await (await call('/v1/customers/cus_2/risk', { role: 'risk' })).json()) as { openFlagId: string | null }).openFlagId;
    const flagOf = async () => (await (await call('/v1/flags/flg_02', { role: 'risk' })).json()) as { flag: { status: string; decisionId: string }; decisions: { decisionId: string; current: boolean }[] };
    expect(await queueIds()).toContain('flg_02');
    expect(await openFlagOfCus2()).toBe('flg_02');

    // Another reviewing tool decides flg_02, then corrects itself; the echo of the API's own decision on flg_00 comes along.
    const otherDecision = (decisionId: string, verdict: string, decidedAt: string) => ({
      key: 'cus_2',
      value: JSON.stringify({
        specversion: '1.0', id: `evt_${decisionId}`, source: 'other-review-tool', type: 'risk.decision', time: decidedAt, subject: 'flg_02',
        datacontenttype: 'application/json', dataschema: 'retour/v1',
        data: { decisionId, customerId: 'cus_2', flagId: 'flg_02', decidedAt, decidedBy: 'other-tool-analyst', verdict },
      }),
    });
    const [apiEcho] = await readMessages({ group: echoGroup, key: 'cus_0', count: 1 });
    // As in `retour serve`: ingest tells the API's snapshots which flags its batches closed.
    const ingestUntilIdle = async () =>
      runKafkaIngest({
        connection: await api.database.connect(),
        config: configWith({
          RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','), RETOUR_TOPICS: otherPublisherTopic, RETOUR_GROUP_ID: ingestGroup,
          RETOUR_TOPIC_DLQ: otherPublisherDeadLetters, RETOUR_BATCH_MAX_WAIT_MS: '100',
        }),
        logger: pino({ level: 'silent' }),
        signal: new AbortController().signal,
        exitWhenIdleMs: 1500,
        onFlagsClosed: (flags) => {
          for (const flag of flags) snapshots.noteFlagClosed(flag);
        },
      });
    const flg00Before = (await api.connection.runAndReadAll(`SELECT status, decision_id, updated_at::VARCHAR FROM risk_flags WHERE flag_id = 'flg_00'`)).getRows();
    await producer.send(otherPublisherTopic, [{ key: 'cus_0', value: Buffer.from(apiEcho!.value!).toString('utf8') }, otherDecision('dec_other_1', 'fraud', '2026-11-20T10:00:00.000Z')]);
    expect(await ingestUntilIdle()).toMatchObject({ consumed: 2, stored: 1, duplicates: 1, quarantined: 0 });

    expect(await queueIds()).not.toContain('flg_02');
    expect(await openFlagOfCus2()).toBeNull();
    expect((await flagOf()).flag).toMatchObject({ status: 'confirmed', decisionId: 'dec_other_1' });
    // The API's own decision came back as a duplicate and changed nothing.
    expect((await api.connection.runAndReadAll(`SELECT status, decision_id, updated_at::VARCHAR FROM risk_flags WHERE flag_id = 'flg_00'`)).getRows()).toEqual(flg00Before);

    // A correction through Kafka: the status follows it at once too.
    await producer.send(otherPublisherTopic, [otherDecision('dec_other_2', 'legitimate', '2026-11-20T11:00:00.000Z')]);
    expect(await ingestUntilIdle()).toMatchObject({ consumed: 1, stored: 1 });
    const corrected = await flagOf();
    expect(corrected.flag).toMatchObject({ status: 'dismissed', decisionId: 'dec_other_2' });
    expect(corrected.decisions.map((decision) => [decision.decisionId, decision.current])).toEqual([['dec_other_2', true], ['dec_other_1', false]]);
    // The audit log records what was done through this API only.
    expect((await api.connection.runAndReadAll(`SELECT count(*)::INTEGER FROM audit_log WHERE target = 'flg_02'`)).getRows()[0]).toEqual([0]);
  });
});
