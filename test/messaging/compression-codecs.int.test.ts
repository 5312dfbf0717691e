/**
 * Topics compressed with Snappy, LZ4 and ZStandard, as Java producers write them: the broker
 * recompresses every batch with the topic's `compression.type` (Kafka's own Java codecs: xerial-framed
 * Snappy, LZ4 frames of 64 KiB blocks, zstd frames). kafkajs 2.2.4 knows only gzip, and ingest stopped
 * on the first such batch with RETOUR_CONSUMER_CRASHED ("LZ4 compression not implemented").
 */
import type { Message } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { configWith } from '../../config/load-config.ts';
import { runKafkaIngest } from '../../ingest/kafka-ingest.ts';
import { generateBenchEvents } from '../../scripts/bench/generate-bench-events.ts';
import { openDatabase } from '../../store/open-database.ts';
import { customerKey, produceInChunks, queryDatabase, temporaryDatabase } from '../ingest/kafka-ingest-helpers.ts';
import { deleteConsumerGroups, deleteTopics, kafkaBrokers, uniqueTopicName, withAdmin } from '../support/kafka.ts';

const silent = pino({ level: 'silent' });
// ≈ 1 MB of events: many LZ4 blocks and zstd/snappy chunks per partition.
const events = generateBenchEvents({ events: 2000, seed: 21 });
const messages = events.map((text): Message => ({ key: customerKey(text), value: text }));

describe.each(['snappy', 'lz4', 'zstd'])('retour ingest from a topic compressed with %s', (codec) => {
  const topic = uniqueTopicName(`compressed-${codec}`);
  const groupId = uniqueTopicName(`compressed-${codec}-group`);
  const database = temporaryDatabase(`kafka-${codec}`);

  afterAll(async () => {
    await deleteConsumerGroups([`${groupId}-main`, `${groupId}-worker`]);
    await deleteTopics([topic]);
    database.remove();
  });

  it.each([
    { thread: 'main', decodeInWorker: false },
    { thread: 'worker', decodeInWorker: true },
  ])('reads every event, decoding on the $thread thread', async ({ decodeInWorker }) => {
    if (!decodeInWorker) {
      await withAdmin((admin) =>
        admin.createTopics({
          topics: [{ topic, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'compression.type', value: codec }] }],
          waitForLeaders: true,
        }),
      );
      await produceInChunks(topic, messages, 500);
    }
    const config = configWith({
      RETOUR_KAFKA_BROKERS: kafkaBrokers().join(','),
      RETOUR_TOPICS: topic,
      // A group and database of their own per thread: each run reads the topic from the start.
      RETOUR_GROUP_ID: `${groupId}-${decodeInWorker ? 'worker' : 'main'}`,
      RETOUR_TOPIC_DLQ: `${topic}-dlq`,
      RETOUR_INGEST_THREAD: decodeInWorker ? 'worker' : 'main',
    });
    const path = decodeInWorker ? database.path.replace(/\.duckdb$/, '-worker.duckdb') : database.path;
    const opened = await openDatabase({ path });
    try {
      const summary = await runKafkaIngest({ connection: await opened.connect(), config, logger: silent, signal: new AbortController().signal, exitWhenIdleMs: 1500 });
      expect(summary).toMatchObject({ consumed: events.length, stored: events.length, duplicates: 0, quarantined: 0, stoppedBy: 'idle' });
    } finally {
      opened.close();
    }
    // The stored text is the produced text, byte for byte.
    const stored = await queryDatabase(path, 'SELECT payload FROM events');
    expect(new Set(stored.map((row) => String(row['payload'])))).toEqual(new Set(events));
  });
});
