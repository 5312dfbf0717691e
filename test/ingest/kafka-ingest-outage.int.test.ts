/**
 * `runKafkaIngest` when Kafka goes away for good: it reports the consumer `reconnecting` (once in the
 * log, at once to onConsumerConnection and the metric) while kafkajs retries, and still gives up
 * with RETOUR_CONSUMER_CRASHED after maxOutageMs — the error that makes `retour serve` and
 * `retour ingest` exit non-zero. Uses a private broker (other ports) it can stop.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../../config/load-config.ts';
import { runKafkaIngest } from '../../ingest/kafka-ingest.ts';
import type { ConsumerConnection } from '../../messaging/consumer/batch-consumer.ts';
import { createRetourMetrics } from '../../observability/metrics-registry.ts';
import { openDatabase } from '../../store/open-database.ts';
import { uniqueTopicName } from '../support/kafka.ts';
import { privateKafkaBroker } from '../support/private-kafka-broker.ts';
import { createTopicWithEvents, temporaryDatabase } from './kafka-ingest-helpers.ts';

const broker = privateKafkaBroker({ port: 29392, controllerPort: 29393 });
const topic = uniqueTopicName('ingest-outage');
const database = temporaryDatabase('kafka-ingest-outage');
let brokers: string[] = [];

beforeAll(async () => {
  brokers = await broker.start();
  await createTopicWithEvents(brokers, topic, { partitions: 2, events: 500, seed: 5 });
}, 180_000);

afterAll(async () => {
  await broker.stop();
  database.remove();
}, 60_000);

describe('Kafka ingest when the brokers do not come back', () => {
  it('reports reconnecting once, then gives up with RETOUR_CONSUMER_CRASHED', async () => {
    const logLines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
          done();
        },
      }),
    );
    const connections: ConsumerConnection[] = [];
    const metrics = createRetourMetrics();
    const config = configWith({ RETOUR_KAFKA_BROKERS: brokers.join(','), RETOUR_TOPICS: topic, RETOUR_GROUP_ID: `${topic}-group`, RETOUR_TOPIC_DLQ: `${topic}-dlq`, RETOUR_BATCH_MAX_WAIT_MS: '100', RETOUR_INGEST_THREAD: 'main' });
    const opened = await openDatabase({ path: database.path });
    try {
      const ingest = runKafkaIngest({
        connection: await opened.connect(),
        config,
        logger,
        signal: new AbortController().signal,
        metrics,
        // Give up soon: a restart after the first crash, none after the second.
        consumerTuning: { maxOutageMs: 3000, retries: 1 },
        onConsumerConnection: (connection) => connections.push(connection),
      });
      const outcome = ingest.then(
        () => 'resolved',
        (error: unknown) => (error as { code?: string }).code,
      );
      await expect.poll(() => connections.at(-1)?.state, { timeout: 60_000, interval: 100 }).toBe('consuming');

      await broker.stop();
      await expect.poll(() => connections.at(-1)?.state, { timeout: 20_000, interval: 100 }).toBe('reconnecting');
      expect(connections.at(-1)?.lastError).toMatch(/Connection|ECONNREFUSED|timed out|rebalancing/);
      expect(metrics.registry.render()).toContain('retour_ingest_consumer_state{state="reconnecting"} 1');

      expect(await outcome).toBe('RETOUR_CONSUMER_CRASHED');
      const states = connections.map((connection) => connection.state).filter((state, index, all) => state !== all[index - 1]);
      expect(states.slice(-2)).toEqual(['consuming', 'reconnecting']);
      expect(logLines.filter((line) => line.includes('ingest is reconnecting'))).toHaveLength(1);
      expect(logLines.filter((line) => line.includes('consuming again'))).toHaveLength(0);
      // kafkajs' own failed-connection lines: the first ones a warning, its retries (up to 20 a second) at debug.
      // Not exactly one: the broker pool's line about a failure and an answer already in flight can
      // come before the consumer counts itself in trouble (3 seen under load); a flood would be dozens.
      const kafkajsConnectionWarnings = logLines.filter((line) => line.includes('"level":40') && /"namespace":"(Connection|BrokerPool)"/.test(line));
      expect(kafkajsConnectionWarnings.length).toBeGreaterThanOrEqual(1);
      expect(kafkajsConnectionWarnings.length).toBeLessThanOrEqual(4);
    } finally {
      opened.close();
    }
  }, 180_000);
});
