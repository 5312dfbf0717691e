/**
 * `retour ingest` rides out a broker restart: a second, private broker (scripts/kafka-local.mjs on
 * other ports, so the shared test broker is never disturbed) is stopped and started again while the
 * CLI consumes; nothing is lost, nothing stored twice, and the process exits 0 once idle.
 */
import { Kafka, logLevel, type Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBenchEvents } from '../../scripts/bench/generate-bench-events.ts';
import { uniqueTopicName } from '../support/kafka.ts';
import { privateKafkaBroker } from '../support/private-kafka-broker.ts';
import { createTopicOn, customerKey, produceInChunks, queryDatabase, startRetour, temporaryDatabase } from './kafka-ingest-helpers.ts';

const privateBroker = privateKafkaBroker({ port: 29192, controllerPort: 29193 });

const topic = uniqueTopicName('ingest-restart');
const database = temporaryDatabase('kafka-ingest-restart');
const events = generateBenchEvents({ events: 60_000, seed: 31 }).map((text): Message => ({ key: customerKey(text), value: text }));
const half = Math.floor(events.length / 2);
let brokers: string[] = [];

describe('retour ingest across a broker restart', () => {
  beforeAll(async () => {
    brokers = await privateBroker.start();
    await createTopicOn(brokers, topic, 2);
  }, 180_000);

  afterAll(async () => {
    await privateBroker.stop();
    database.remove();
  }, 60_000);

  it('loses nothing and stores nothing twice', async () => {
    await produceInChunks(topic, events.slice(0, half), 2000, brokers);
    const run = startRetour(['ingest', '--exit-when-idle', '5'], {
      RETOUR_DATABASE: database.path,
      RETOUR_KAFKA_BROKERS: brokers.join(','),
      RETOUR_TOPICS: topic,
      RETOUR_GROUP_ID: `${topic}-group`,
      RETOUR_BATCH_MAX_EVENTS: '2000',
      RETOUR_LOG_LEVEL: 'debug',
    });
    const deadline = Date.now() + 60_000;
    while (!run.stderr().includes('"msg":"batch committed"') && Date.now() < deadline && run.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await privateBroker.stop();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await privateBroker.start();
    await produceInChunks(topic, events.slice(half), 2000, brokers);
    expect(await run.exited, run.stderr().slice(-3000)).toBe(0);

    const [counts] = await queryDatabase(database.path, 'SELECT count(*)::INTEGER AS events, (SELECT count(*) FROM ingest_duplicates)::INTEGER AS duplicates FROM events');
    expect(counts).toEqual({ events: events.length, duplicates: 0 });
    const admin = new Kafka({ clientId: 'retour-test-admin', brokers, logLevel: logLevel.WARN }).admin();
    await admin.connect();
    const high = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    const stored = await queryDatabase(database.path, `SELECT next_offset FROM ingest_offsets WHERE topic = '${topic}' ORDER BY kafka_partition`);
    expect(stored.map((row) => Number(row['next_offset']))).toEqual(high.map((entry) => Number(entry.high)));
  }, 240_000);
});
