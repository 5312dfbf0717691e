/**
 * `retour serve` with Kafka configured (not the demo): ingest, the API and /metrics in one process,
 * against the real broker and over real HTTP. While a client keeps the API busy, ingest gives way
 * (rests between batches, counted in retour_ingest_yielded_seconds_total) but still consumes
 * everything; /metrics reports what was ingested and the lag per partition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBenchEvents } from '../../../scripts/bench/generate-bench-events.ts';
import { customerKey, produceInChunks, temporaryDatabase } from '../../ingest/kafka-ingest-helpers.ts';
import { createTopic, deleteConsumerGroups, deleteTopics, kafkaBrokers, uniqueTopicName } from '../../support/kafka.ts';
import { sample, sumOf } from '../../support/prometheus-text.ts';
import { runRetour, startRetourServe } from '../../support/retour-cli.ts';

const topic = uniqueTopicName('serve-kafka');
const groupId = `${topic}-group`;
// generateBenchEvents gives about this many (whole orders): the exact count is taken from it.
let produced = 0;
const database = temporaryDatabase('serve-kafka');

beforeAll(async () => {
  await createTopic(topic, 3);
  const lines = generateBenchEvents({ events: 30_000, seed: 31 });
  produced = lines.length;
  await produceInChunks(
    topic,
    lines.map((value) => ({ key: customerKey(value), value })),
  );
}, 120_000);

afterAll(async () => {
  await deleteConsumerGroups([groupId]);
  await deleteTopics([topic, `${topic}-dlq`]);
  database.remove();
});

describe('retour serve with Kafka', () => {
  it('ingests everything while the API is kept busy, giving way between batches, and reports it in /metrics', async () => {
    // An ops key, created before the server takes the database, for `retour status` below.
    const opsKey = runRetour(['keys', 'create', '--role', 'ops'], { RETOUR_DATABASE: database.path }).stdout.trim().split('\n').at(-1)!;
    const serve = await startRetourServe([], {
      RETOUR_DATABASE: database.path,
      RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','),
      RETOUR_TOPICS: topic,
      RETOUR_GROUP_ID: groupId,
      RETOUR_TOPIC_DLQ: `${topic}-dlq`,
      // Small batches so ingest takes many batches, and rests between them while the API is busy.
      RETOUR_INGEST_BUSY_BATCH_EVENTS: '500',
      RETOUR_INGEST_BUSY_SHARE: '0.5',
      RETOUR_JOB_INTERVAL_SECONDS: 'quality=3600,risk=3600,ops=3600',
    });
    try {
      let busy = true;
      // A client that never lets the API go quiet for long.
      const client = (async () => {
        while (busy) await (await fetch(`${serve.url}/healthz`)).arrayBuffer();
      })();
      let metrics = '';
      await expect
        .poll(
          async () => {
            metrics = await (await fetch(`${serve.url}/metrics`)).text();
            return sumOf(metrics, 'retour_ingest_events_total{');
          },
          { timeout: 120_000, interval: 500 },
        )
        .toBe(produced);
      busy = false;
      await client;

      expect(sample(metrics, 'retour_ingest_events_total', '{outcome="stored"}')).toBe(produced);
      expect(sumOf(metrics, 'retour_ingest_lag_messages{')).toBe(0);
      expect(metrics).toMatch(new RegExp(`retour_ingest_lag_messages\\{partition="2",topic="${topic}"\\} 0`));
      expect(sample(metrics, 'retour_ingest_batch_duration_seconds_count')).toBeGreaterThan(1);
      // Ingest rested to give way to the requests, and still got through everything.
      expect(sample(metrics, 'retour_ingest_yielded_seconds_total')).toBeGreaterThan(0);

      // `retour status` cannot open the database the server holds: without a key it says so and
      // how to ask the server; with an ops key it prints the server's counts and consumer state.
      const statusEnv = { RETOUR_DATABASE: database.path, RETOUR_PORT: new URL(serve.url).port, RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','), RETOUR_TOPICS: topic };
      const refused = runRetour(['status', '--json'], statusEnv, { allowFailure: true });
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('RETOUR_DB_IN_USE');
      expect(refused.stderr).toContain('set RETOUR_API_KEY to an ops or admin key');
      const status = JSON.parse(runRetour(['status', '--json'], { ...statusEnv, RETOUR_API_KEY: opsKey }).stdout) as { server: string; ingest: string; eventsTotal: number; lagTotal: number };
      expect(status).toMatchObject({ server: serve.url, ingest: 'consuming', eventsTotal: produced, lagTotal: 0 });
      const wrongKey = runRetour(['status'], { ...statusEnv, RETOUR_API_KEY: 'not-a-key' }, { allowFailure: true });
      expect(wrongKey.status).not.toBe(0);
      expect(wrongKey.stderr).toContain('refused GET /v1/status with 401');
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  }, 180_000);
});
