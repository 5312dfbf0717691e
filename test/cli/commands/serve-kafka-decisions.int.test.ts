/**
 * `retour serve` with Kafka: a review decision another publisher (a reviewing tool, another replica)
 * produces to a topic ingest reads takes effect at once — the flag leaves the open queue and the
 * customer's openFlagId (from the in-memory snapshots) is null — without waiting for a risk run.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventProducer } from '../../../messaging/producer/create-event-producer.ts';
import { insertFixtures } from '../../../scripts/api/api-fixtures.ts';
import { createApiKey } from '../../../store/api/api-keys.ts';
import { openDatabase } from '../../../store/open-database.ts';
import { temporaryDatabase } from '../../ingest/kafka-ingest-helpers.ts';
import { createTopic, deleteConsumerGroups, deleteTopics, kafkaBrokers, uniqueTopicName } from '../../support/kafka.ts';
import { startRetourServe } from '../../support/retour-cli.ts';

const topic = uniqueTopicName('serve-decisions');
const groupId = `${topic}-group`;
const database = temporaryDatabase('serve-decisions');
let keys: { admin: string; risk: string };

beforeAll(async () => {
  await createTopic(topic, 1);
  // The API fixture: open flags flg_00..flg_23; cus_0 has facts, so the first risk run gives it a snapshot naming flg_00.
  const seeded = await openDatabase({ path: database.path });
  try {
    const connection = await seeded.connect();
    await insertFixtures(connection);
    const now = new Date();
    keys = {
      admin: (await createApiKey(connection, { role: 'admin', name: 'ops lead', now })).key,
      risk: (await createApiKey(connection, { role: 'risk', name: 'analyst', now })).key,
    };
  } finally {
    seeded.close();
  }
});

afterAll(async () => {
  await deleteConsumerGroups([groupId]).catch(() => undefined);
  await deleteTopics([topic, `${topic}-dlq`]);
  database.remove();
});

describe('retour serve with Kafka: decisions from another publisher', () => {
  it('a risk.decision on the topic closes the flag at once: it leaves the queue and openFlagId is null, with no risk run', async () => {
    const serverStartedAt = Date.now();
    const serve = await startRetourServe([], {
      RETOUR_DATABASE: database.path,
      RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','),
      RETOUR_TOPICS: topic,
      RETOUR_GROUP_ID: groupId,
      RETOUR_TOPIC_DLQ: `${topic}-dlq`,
      // The risk job runs once at the start, then not within the test.
      RETOUR_JOB_INTERVAL_SECONDS: 'quality=3600,risk=3600,ops=3600',
      RETOUR_TRAIN_EVERY: 'off',
    });
    try {
      const get = async (url: string, key: string) => (await (await fetch(`${serve.url}${url}`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, unknown>;
      const riskRuns = async () => (await get('/v1/jobs?job=risk&limit=50', keys.admin))['runs'] as { runId: number; status: string; startedAt: string }[];
      const openFlagOfCus0 = async () => (await get('/v1/customers/cus_0/risk', keys.risk))['openFlagId'];
      const queue = async () => ((await get('/v1/flags?limit=500', keys.risk))['flags'] as { flagId: string }[]).map((flag) => flag.flagId);
      // The start's risk run (the fixture holds an older one), then its snapshots.
      await expect.poll(async () => (await riskRuns()).some((run) => run.status === 'succeeded' && Date.parse(run.startedAt) >= serverStartedAt - 5_000), { timeout: 60_000, interval: 500 }).toBe(true);
      await expect.poll(openFlagOfCus0, { timeout: 30_000, interval: 200 }).toBe('flg_00');
      expect(await queue()).toContain('flg_00');
      const runsBefore = (await riskRuns()).length;

      const producer = createEventProducer({ brokers: kafkaBrokers(), clientId: 'other-review-tool', logger: pino({ level: 'silent' }) });
      try {
        const decidedAt = new Date().toISOString();
        await producer.send(topic, [
          {
            key: 'cus_0',
            value: JSON.stringify({
              specversion: '1.0', id: 'evt_other_tool_1', source: 'other-review-tool', type: 'risk.decision', time: decidedAt, subject: 'flg_00',
              datacontenttype: 'application/json', dataschema: 'retour/v1',
              data: { decisionId: 'dec_other_tool_1', customerId: 'cus_0', flagId: 'flg_00', decidedAt, decidedBy: 'other-tool-analyst', verdict: 'fraud' },
            }),
          },
        ]);
      } finally {
        await producer.close();
      }

      await expect.poll(openFlagOfCus0, { timeout: 30_000, interval: 200 }).toBeNull();
      expect(await queue()).not.toContain('flg_00');
      expect((await get('/v1/flags/flg_00', keys.risk))['flag']).toMatchObject({ status: 'confirmed', decisionId: 'dec_other_tool_1' });
      // No risk run did it.
      expect((await riskRuns()).length).toBe(runsBefore);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });
});
