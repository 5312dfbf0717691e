/**
 * Quality alert notifications through the real broker: the quality job, given the same publish
 * function as `retour serve` (the event producer's send), sends each alert's opening once and its
 * resolution once, and the messages read back from the topic are what GET /v1/alerts shows.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventProducer, type EventProducer } from '../../../messaging/producer/create-event-producer.ts';
import type { Database } from '../../../store/open-database.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { createTopic, deleteTopics, kafkaBrokers, testConsumer, uniqueTopicName } from '../../support/kafka.ts';
import { episodeDay, insertEpisodeProducts, openQualityTestDatabase, readRows, runQuality } from './quality-fixtures.ts';

const topic = uniqueTopicName('quality-alerts');
let database: Database;
let connection: DuckDBConnection;
let producer: EventProducer;

beforeAll(async () => {
  await createTopic(topic, 2);
  ({ database, connection } = await openQualityTestDatabase());
  await insertEpisodeProducts(connection);
  producer = createEventProducer({ brokers: kafkaBrokers(), clientId: 'retour-test-quality', logger: pino({ level: 'silent' }) });
}, 60_000);

afterAll(async () => {
  await producer?.close();
  database?.close();
  await deleteTopics([topic]);
});

async function readTopic(expected: number): Promise<{ key: string | undefined; value: Record<string, unknown> }[]> {
  const consumer = testConsumer(uniqueTopicName('quality-alerts-reader'));
  const received: { key: string | undefined; value: Record<string, unknown> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: message.key?.toString(), value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown> });
        if (received.length >= expected) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  // A moment for anything beyond the expected count to show up.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await consumer.disconnect();
  return received;
}

describe('quality alerts on Kafka', () => {
  it('publishes each opening and each resolution exactly once, keyed by product', async () => {
    const config = { RETOUR_TOPIC_QUALITY_ALERTS: topic };
    const publish = (name: string, messages: { key?: string; value: string }[]): Promise<void> => producer.send(name, messages);
    for (const day of [78, 79, 85, 92, 93]) await runQuality(connection, { now: episodeDay(day), config, publish });

    const alerts = await readRows(connection, 'SELECT alert_id, product_id, status FROM quality_alerts ORDER BY alert_id');
    const resolved = alerts.filter((alert) => alert['status'] === 'resolved').length;
    expect(resolved).toBeGreaterThanOrEqual(1);
    const received = await readTopic(alerts.length + resolved);
    expect(received).toHaveLength(alerts.length + resolved);
    for (const alert of alerts) {
      const own = received.filter((message) => message.value['alertId'] === Number(alert['alert_id']));
      expect(own.map((message) => message.value['type'])).toEqual(alert['status'] === 'resolved' ? ['quality.alert.opened', 'quality.alert.resolved'] : ['quality.alert.opened']);
      expect(new Set(own.map((message) => message.key))).toEqual(new Set([alert['product_id']]));
    }
    const faultResolution = received.find((message) => message.value['type'] === 'quality.alert.resolved' && message.value['metric'] === 'product_fault_rate');
    expect(faultResolution?.value).toMatchObject({ productId: 'P00', status: 'resolved', resolvedAt: expect.stringMatching(/^2026-04-07/) as unknown });
  }, 120_000);
});
