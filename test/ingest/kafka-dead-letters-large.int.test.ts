/**
 * Large quarantined messages against the real broker: a topic that accepts messages of megabytes
 * (its own `max.message.bytes`) next to a dead-letter topic with Kafka's default limit (1 MiB per
 * record batch). Before dead letters were cut and split, the first batch holding a 2 MB message, or
 * many quarantined messages just under RETOUR_MAX_EVENT_BYTES, ended `retour ingest` with "The
 * request included a message larger than the max message size the server will accept", after the
 * batch was committed in DuckDB — and the re-publication at every restart met the same refusal.
 */
import type { Message } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../../config/load-config.ts';
import { DEAD_LETTER_MAX_VALUE_BYTES } from '../../ingest/kafka-dead-letter-message.ts';
import { runKafkaIngest, type KafkaIngestSummary } from '../../ingest/kafka-ingest.ts';
import { openDatabase } from '../../store/open-database.ts';
import { createTopic, deleteConsumerGroups, deleteTopics, kafkaBrokers, uniqueTopicName, withAdmin } from '../support/kafka.ts';
import { produceInChunks, queryDatabase, readTopic, temporaryDatabase } from './kafka-ingest-helpers.ts';

const silent = pino({ level: 'silent' });

function order(id: string, comment?: string): string {
  return JSON.stringify({
    specversion: '1.0',
    id,
    source: 'test',
    type: 'order.placed',
    time: '2026-03-01T10:00:00Z',
    data: {
      orderId: `ord_${id}`,
      customerId: 'cus_large',
      placedAt: '2026-03-01T10:00:00Z',
      currency: 'EUR',
      // A channel of 60 KiB breaks the schema (at most 32 characters) without making the message oversize.
      ...(comment === undefined ? {} : { channel: comment }),
      lines: [{ lineId: 'l1', productId: 'prd_1', category: 'apparel', quantity: 1, unitPrice: 1000 }],
    },
  });
}

const TWO_MB = 2 * 1024 * 1024;
const valid: Message[] = [{ key: 'cus_large', value: order('evt_valid_1') }, { key: 'cus_large', value: order('evt_valid_2') }];
/** Oversize (above RETOUR_MAX_EVENT_BYTES = 65536): 2 MB, and two of 700 KB that fit one dead letter each but not together. */
const oversize: Message[] = [
  { key: 'cus_large', value: order('evt_2mb', 'x'.repeat(TWO_MB)) },
  { key: 'cus_large', value: order('evt_700kb_1', 'y'.repeat(700 * 1024)) },
  { key: 'cus_large', value: order('evt_700kb_2', 'z'.repeat(700 * 1024)) },
];
/** Under the size limit but invalid: 30 × 60 KiB = 1.8 MB of dead letters for one partition. */
const invalid: Message[] = Array.from({ length: 30 }, (_, index) => ({ key: 'cus_large', value: order(`evt_60kb_${index}`, 'w'.repeat(60 * 1024)) }));
/** A compaction tombstone: its dead letter has no value either, also when re-published after a restart. */
const tombstone: Message = { key: 'cus_large', value: null };

describe('retour ingest with quarantined messages of up to megabytes', () => {
  const topic = uniqueTopicName('large-events');
  const deadLetterTopic = uniqueTopicName('large-dlq');
  const groupId = uniqueTopicName('large-group');
  const database = temporaryDatabase('kafka-large');
  let summary: KafkaIngestSummary;

  async function ingestUntilIdle(): Promise<KafkaIngestSummary> {
    const config = configWith({
      RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','),
      RETOUR_TOPICS: topic,
      RETOUR_GROUP_ID: groupId,
      RETOUR_TOPIC_DLQ: deadLetterTopic,
      RETOUR_INGEST_THREAD: 'main',
    });
    const opened = await openDatabase({ path: database.path });
    try {
      return await runKafkaIngest({ connection: await opened.connect(), config, logger: silent, signal: new AbortController().signal, exitWhenIdleMs: 1500 });
    } finally {
      opened.close();
    }
  }

  beforeAll(async () => {
    await withAdmin((admin) =>
      admin.createTopics({
        topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: String(8 * 1024 * 1024) }] }],
        waitForLeaders: true,
      }),
    );
    // The dead-letter topic keeps the broker's default limit; one partition takes every letter.
    await createTopic(deadLetterTopic, 1);
    // One message per request: the producer's requests stay under the topic's limit.
    await produceInChunks(topic, [valid[0]!, ...oversize, ...invalid, valid[1]!, tombstone], 1);
    summary = await ingestUntilIdle();
  });

  afterAll(async () => {
    await deleteConsumerGroups([groupId]);
    await deleteTopics([topic, deadLetterTopic]);
    database.remove();
  });

  it('quarantines them, publishes every dead letter and goes on to the end of the topic', async () => {
    expect(summary).toMatchObject({ consumed: 36, stored: 2, duplicates: 0, quarantined: 34, stoppedBy: 'idle' });
    const byCode = await queryDatabase(database.path, 'SELECT error_code, count(*)::INTEGER AS n, max(octet_length(raw))::INTEGER AS largest FROM quarantine GROUP BY 1 ORDER BY 1');
    expect(byCode).toEqual([
      { error_code: 'RETOUR_EVENT_NOT_JSON', n: 1, largest: 0 },
      { error_code: 'RETOUR_EVENT_OVERSIZE', n: 3, largest: Buffer.byteLength(oversize[0]!.value as string) },
      { error_code: 'RETOUR_EVENT_SCHEMA_INVALID', n: 30, largest: Math.max(...invalid.map((message) => Buffer.byteLength(message.value as string))) },
    ]);
    const letters = await readTopic(deadLetterTopic, 34);
    expect(letters).toHaveLength(34);
    expect(letters.filter((letter) => letter.headers['retour.error.code'] === 'RETOUR_EVENT_NOT_JSON').map((letter) => letter.value)).toEqual([null]);
    // The 2 MB and 700 KB messages arrive cut to 256 KiB with their size; the 60 KiB ones whole.
    const cut = letters.filter((letter) => letter.headers['retour.original.size'] !== undefined);
    expect(cut).toHaveLength(3);
    // Oversize messages are refused unparsed (no event id): each letter is the head of one original.
    const originals = cut.map((letter) => oversize.findIndex((message) => Buffer.from(message.value as string).subarray(0, DEAD_LETTER_MAX_VALUE_BYTES).equals(letter.value!)));
    expect(originals.sort()).toEqual([0, 1, 2]);
    for (const letter of cut) {
      expect(letter.value!.byteLength).toBe(DEAD_LETTER_MAX_VALUE_BYTES);
      expect(letter.headers['retour.error.code']).toBe('RETOUR_EVENT_OVERSIZE');
    }
    expect(cut.map((letter) => Number(letter.headers['retour.original.size'])).sort()).toEqual(oversize.map((message) => Buffer.byteLength(message.value as string)).sort());
    const whole = letters.filter((letter) => letter.headers['retour.error.code'] === 'RETOUR_EVENT_SCHEMA_INVALID');
    expect(whole).toHaveLength(30);
    for (const letter of whole) expect(letter.value?.toString('utf8')).toBe(invalid.find((message) => (message.value as string).includes(`"${letter.headers['retour.event.id']}"`))!.value);
  });

  it('re-publishes them after a restart that finds the group behind DuckDB', async () => {
    await withAdmin((admin) => admin.resetOffsets({ groupId, topic, earliest: true }));
    const again = await ingestUntilIdle();
    expect(again).toMatchObject({ consumed: 0, deadLettersRecovered: 34 });
    const letters = await readTopic(deadLetterTopic, 68);
    expect(letters).toHaveLength(68);
    // Both dead letters of the tombstone are tombstones (the re-published one was an empty value).
    expect(letters.filter((letter) => letter.headers['retour.error.code'] === 'RETOUR_EVENT_NOT_JSON').map((letter) => letter.value)).toEqual([null, null]);
  });
});
