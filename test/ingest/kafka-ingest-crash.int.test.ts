/**
 * Crash safety of `retour ingest` (the real CLI, as a child process): SIGKILLed several times at
 * random points while consuming 200k events, then run until idle. Exactly the distinct valid events
 * are stored; re-sent events are counted as duplicates exactly once each and bad messages
 * quarantined exactly once each (a message processed twice would break both counts); the stored
 * offsets equal the high watermarks; every quarantined message reached the dead-letter topic.
 */
import type { Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../models/random/seeded-random.ts';
import { generateBenchEvents } from '../../scripts/bench/generate-bench-events.ts';
import { createTopic, deleteConsumerGroups, deleteTopics, kafkaBrokers, uniqueTopicName, withAdmin } from '../support/kafka.ts';
import { customerKey, produceInChunks, queryDatabase, readTopic, startRetour, temporaryDatabase } from './kafka-ingest-helpers.ts';

const topic = uniqueTopicName('ingest-crash');
const deadLetterTopic = uniqueTopicName('ingest-crash-dlq');
const groupId = uniqueTopicName('ingest-crash-group');
const database = temporaryDatabase('kafka-ingest-crash');
const random = createSeededRandom(2026);

const valid = generateBenchEvents({ events: 200_000, seed: 21 });
const RESENT = 2000;
const BAD = 40;
const messages: Message[] = valid.map((text) => ({ key: customerKey(text), value: text }));
for (let index = 0; index < RESENT; index++) {
  const copy = valid[random.nextInt(valid.length)]!;
  // Re-sends land anywhere after the original would: the end is simplest and still crosses kills.
  messages.push({ key: customerKey(copy), value: copy });
}
for (let index = 0; index < BAD; index++) {
  messages.splice(random.nextInt(messages.length), 0, { key: `bad-${index}`, value: `{"not json" ${index}` });
}

const env = {
  RETOUR_DATABASE: database.path,
  RETOUR_TOPICS: topic,
  RETOUR_GROUP_ID: groupId,
  RETOUR_TOPIC_DLQ: deadLetterTopic,
  RETOUR_BATCH_MAX_EVENTS: '5000',
  RETOUR_LOG_LEVEL: 'debug',
};

const countCommittedBatches = (stderr: string): number => stderr.split('"msg":"batch committed"').length - 1;

describe('retour ingest killed with SIGKILL', () => {
  beforeAll(async () => {
    await createTopic(topic, 4);
    await produceInChunks(topic, messages);
  });

  afterAll(async () => {
    await deleteConsumerGroups([groupId]);
    await deleteTopics([topic, deadLetterTopic]);
    database.remove();
  });

  it('stores every valid event exactly once across kills', async () => {
    const kills = 3;
    for (let kill = 0; kill < kills; kill++) {
      const run = startRetour(['ingest'], { ...env, RETOUR_KAFKA_BROKERS: kafkaBrokers().join(',') });
      const batchesBeforeKill = 1 + random.nextInt(6);
      const deadline = Date.now() + 60_000;
      while (countCommittedBatches(run.stderr()) < batchesBeforeKill && Date.now() < deadline && run.child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(run.child.exitCode, run.stderr().slice(-2000)).toBeNull();
      // Land anywhere: inside the next transaction, between commit and dead letters, or the Kafka commit.
      await new Promise((resolve) => setTimeout(resolve, random.nextInt(250)));
      run.child.kill('SIGKILL');
      expect(await run.exited).toBe('SIGKILL');
    }

    const last = startRetour(['ingest', '--exit-when-idle', '3'], { ...env, RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','), RETOUR_LOG_LEVEL: 'info' });
    expect(await last.exited, last.stderr().slice(-2000)).toBe(0);

    const [counts] = await queryDatabase(
      database.path,
      `SELECT (SELECT count(*) FROM events)::INTEGER AS events,
              (SELECT count(DISTINCT event_id) FROM events)::INTEGER AS distinctEvents,
              (SELECT count(*) FROM ingest_duplicates)::INTEGER AS duplicates,
              (SELECT count(*) FROM quarantine)::INTEGER AS quarantined,
              (SELECT count(DISTINCT (kafka_partition, kafka_offset)) FROM quarantine)::INTEGER AS quarantinedOrigins`,
    );
    expect(counts).toEqual({ events: valid.length, distinctEvents: valid.length, duplicates: RESENT, quarantined: BAD, quarantinedOrigins: BAD });

    const stored = await queryDatabase(database.path, `SELECT kafka_partition, next_offset FROM ingest_offsets WHERE topic = '${topic}' ORDER BY 1`);
    const high = (await withAdmin((admin) => admin.fetchTopicOffsets(topic))).sort((a, b) => a.partition - b.partition);
    expect(stored.map((row) => Number(row['next_offset']))).toEqual(high.map((entry) => Number(entry.high)));

    // At least once into the dead-letter topic: every quarantined origin is there, maybe twice.
    const letters = await readTopic(deadLetterTopic, BAD);
    const origins = new Set(letters.map((letter) => `${letter.headers['retour.original.partition']}/${letter.headers['retour.original.offset']}`));
    const quarantined = await queryDatabase(database.path, 'SELECT kafka_partition, kafka_offset FROM quarantine');
    for (const row of quarantined) expect(origins.has(`${String(row['kafka_partition'])}/${String(row['kafka_offset'])}`)).toBe(true);
  }, 240_000);
});
