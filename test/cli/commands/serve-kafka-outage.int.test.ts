/**
 * `retour serve` during a Kafka outage: its private broker (other ports, so the shared test broker
 * is never disturbed) is stopped under it. /readyz turns 503 "reconnecting" with the time and the
 * error within seconds — not only once kafkajs gives up and the process exits — while the hot routes
 * keep answering from memory; once the broker is back /readyz is 200 again by itself. One warning
 * when the outage starts, one info line when it ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopicWithEvents, temporaryDatabase } from '../../ingest/kafka-ingest-helpers.ts';
import { sumOf } from '../../support/prometheus-text.ts';
import { uniqueTopicName } from '../../support/kafka.ts';
import { privateKafkaBroker } from '../../support/private-kafka-broker.ts';
import { runRetour, startRetourServe } from '../../support/retour-cli.ts';

const broker = privateKafkaBroker({ port: 29392, controllerPort: 29393 });
const topic = uniqueTopicName('serve-outage');
const database = temporaryDatabase('serve-kafka-outage');
let brokers: string[] = [];
let produced = 0;

interface Readiness {
  status: number;
  body: { status: string; ingest: string; ingestSince?: string; ingestError?: string };
}

beforeAll(async () => {
  brokers = await broker.start();
  produced = await createTopicWithEvents(brokers, topic, { partitions: 2, events: 2000, seed: 7 });
}, 180_000);

afterAll(async () => {
  await broker.stop();
  database.remove();
}, 60_000);

describe('retour serve while Kafka is down', () => {
  it('answers /readyz 503 "reconnecting" with since and the error, keeps the hot routes up, and is ready again after the broker returns', async () => {
    const env = {
      RETOUR_DATABASE: database.path,
      RETOUR_KAFKA_BROKERS: brokers.join(','),
      RETOUR_TOPICS: topic,
      RETOUR_GROUP_ID: `${topic}-group`,
      RETOUR_TOPIC_DLQ: `${topic}-dlq`,
      RETOUR_JOB_INTERVAL_SECONDS: 'quality=3600,risk=3600,ops=3600',
      RETOUR_LOG_LEVEL: 'info',
    };
    const serviceKey = runRetour(['keys', 'create', '--role', 'service'], env).stdout.trim().split('\n').at(-1)!;
    const serve = await startRetourServe([], env);
    const readiness = async (): Promise<Readiness> => {
      const response = await fetch(`${serve.url}/readyz`);
      return { status: response.status, body: (await response.json()) as Readiness['body'] };
    };
    const score = () =>
      fetch(`${serve.url}/v1/risk/score`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: 'cus_outage', lines: [{ productId: 'p1', quantity: 1, reason: 'other', unitPrice: 1000 }] }),
      });
    let exitCode: number | null;
    try {
      // Consuming for real first: everything produced is ingested.
      await expect.poll(async () => sumOf(await (await fetch(`${serve.url}/metrics`)).text(), 'retour_ingest_events_total{'), { timeout: 60_000, interval: 250 }).toBe(produced);
      expect((await readiness()).status).toBe(200);

      await broker.stop();
      const stoppedAt = Date.now();
      let down: Readiness | undefined;
      await expect
        .poll(
          async () => {
            down = await readiness();
            return down.status;
          },
          { timeout: 30_000, interval: 250 },
        )
        .toBe(503);
      // Long before kafkajs gives up (maxOutageMs 60 s after its first crash, about 90 s in all).
      expect(Date.now() - stoppedAt).toBeLessThan(20_000);
      expect(down?.body).toMatchObject({ status: 'not_ready', ingest: 'reconnecting', ingestError: expect.stringMatching(/Connection|ECONNREFUSED|timed out|rebalancing/) });
      expect(Date.parse(down?.body.ingestSince ?? '')).toBeGreaterThan(stoppedAt - 15_000);
      const metrics = await (await fetch(`${serve.url}/metrics`)).text();
      expect(metrics).toContain('retour_ingest_consumer_state{state="reconnecting"} 1');

      // The hot route answers from memory meanwhile (an unknown customer: unscored, never a silent low score).
      const scored = await score();
      expect(scored.status).toBe(200);
      expect(await scored.json()).toMatchObject({ customerId: 'cus_outage', status: 'unscored' });
      expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);

      await broker.start();
      await expect.poll(async () => (await readiness()).status, { timeout: 90_000, interval: 500 }).toBe(200);
      expect((await readiness()).body).toMatchObject({ status: 'ready', ingest: 'consuming' });
      expect((await readiness()).body).not.toHaveProperty('ingestError');
      expect(serve.process.exitCode).toBeNull();

      const logLines = serve.stderr().split('\n');
      expect(logLines.filter((line) => line.includes('ingest is reconnecting')), serve.stderr().slice(-3000)).toHaveLength(1);
      expect(logLines.filter((line) => line.includes('Kafka consumer is consuming again'))).toHaveLength(1);
    } finally {
      exitCode = await serve.stop();
    }
    expect(exitCode).toBe(0);
  }, 240_000);
});
