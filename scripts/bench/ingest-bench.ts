/**
 * `npm run bench -- ingest [--events N] [--partitions P] [--batch N] [--brokers H:P] [--skip-bare] [--memory-limit 256MB]`
 *
 * Pre-produces N realistic events (default 1M) to a fresh topic on a real broker, then, in the
 * same run and with the same fetch settings:
 *   1. a bare kafkajs consumer that only counts the messages (the baseline: what kafkajs alone costs);
 *   2. Retour's ingest (runKafkaIngest into a fresh DuckDB file), timed until every event is
 *      committed in DuckDB.
 * Prints events/s of both, the ratio, peak RSS, and returns the summary (the JSON last line).
 * Goal (DESIGN.md): ≥ 100k events/s, ratio ≥ 0.7, RSS ≤ 512 MB.
 *
 * Profile: node --cpu-prof --cpu-prof-dir=.scratch/prof bin/run-ts.mjs scripts/bench.ts ingest --skip-bare
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { configWith } from '../../config/load-config.ts';
import { runKafkaIngest, type KafkaConsumerTuning } from '../../ingest/kafka-ingest.ts';
import { openDatabase } from '../../store/open-database.ts';
import { generateBenchEvents } from './generate-bench-events.ts';

/** The fetch settings both consumers use (the tuning that measured best on 2 cores). */
const FETCH: NonNullable<KafkaConsumerTuning['fetch']> = {
  maxBytesPerPartition: 4 * 1024 * 1024,
  maxBytes: 32 * 1024 * 1024,
  minBytes: 1,
  maxWaitTimeInMs: 100,
};

const megabytes = (bytes: number): number => Math.round(bytes / 1024 / 1024);
const peakRssMegabytes = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

async function produce(kafka: Kafka, topic: string, partitions: number, events: number, log: (line: string) => void): Promise<{ produced: number; bytes: number; seconds: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = performance.now();
  let produced = 0;
  let bytes = 0;
  try {
    // Generated in slices so the generator never holds a million strings at once.
    for (let slice = 0; produced < events; slice++) {
      const texts = generateBenchEvents({ events: Math.min(50_000, events - produced), seed: 1000 + slice }).map((text) => text.replace('"evt_', `"evt_${slice}_`));
      const sends: Promise<unknown>[] = [];
      for (let start = 0; start < texts.length; start += 5000) {
        const messages = texts.slice(start, start + 5000).map((value) => {
          bytes += value.length;
          return { key: /"customerId":"([^"]+)"/.exec(value)?.[1] ?? null, value };
        });
        sends.push(producer.send({ topic, acks: 1, messages }));
      }
      await Promise.all(sends);
      produced += texts.length;
      if (slice % 5 === 4) log(`  produced ${produced.toLocaleString('en')}`);
    }
  } finally {
    await producer.disconnect();
  }
  return { produced, bytes, seconds: (performance.now() - started) / 1000 };
}

async function bareConsume(kafka: Kafka, topic: string, expected: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${topic}-bare`, ...FETCH });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let count = 0;
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            count += batch.messages.length;
            if (count >= expected) resolve();
          },
        })
        .catch(reject);
    });
    return (performance.now() - started) / 1000;
  } finally {
    await consumer.disconnect();
  }
}

async function retourIngest(
  brokers: string,
  topic: string,
  expected: number,
  batch: number,
  memoryLimit: string,
): Promise<{ seconds: number; stored: number; batches: number; closeSeconds: number }> {
  const folder = mkdtempSync(join(tmpdir(), 'retour-ingest-bench-'));
  const config = configWith({
    RETOUR_KAFKA_BROKERS: brokers,
    RETOUR_TOPICS: topic,
    RETOUR_GROUP_ID: `${topic}-retour`,
    RETOUR_TOPIC_DLQ: `${topic}-dlq`,
    RETOUR_BATCH_MAX_EVENTS: String(batch),
    RETOUR_BATCH_MAX_WAIT_MS: '250',
    RETOUR_DUCKDB_MEMORY_LIMIT: memoryLimit,
  });
  const database = await openDatabase({ path: join(folder, 'bench.duckdb') });
  const abort = new AbortController();
  let finishedAt = 0;
  let stored = 0;
  let batches = 0;
  let closeSeconds = 0;
  const started = performance.now();
  try {
    await runKafkaIngest({
      connection: await database.connect(),
      config,
      logger: pino({ level: 'warn' }),
      signal: abort.signal,
      consumerTuning: { fetch: FETCH },
      onBatch(progress) {
        stored = progress.stored;
        batches = progress.batches;
        if (progress.consumed >= expected && finishedAt === 0) {
          finishedAt = performance.now();
          abort.abort();
        }
      },
    });
  } finally {
    // Closing checkpoints what checkpoint_threshold deferred: timed apart, it is part of the cost.
    const closing = performance.now();
    database.close();
    closeSeconds = (performance.now() - closing) / 1000;
    rmSync(folder, { recursive: true, force: true });
  }
  return { seconds: (finishedAt - started) / 1000, stored, batches, closeSeconds };
}

export async function runIngestBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: 'string', default: '1000000' },
      partitions: { type: 'string', default: '6' },
      batch: { type: 'string', default: '20000' },
      brokers: { type: 'string', default: process.env['RETOUR_KAFKA_BROKERS'] || '127.0.0.1:19092' },
      'skip-bare': { type: 'boolean', default: false },
      'memory-limit': { type: 'string', default: '' },
    },
  });
  const events = Number(values.events);
  const partitions = Number(values.partitions);
  const batch = Number(values.batch);
  if (!Number.isInteger(events) || events < 1) throw new RangeError(`--events must be a positive integer; got ${values.events}`);
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`--partitions must be a positive integer; got ${values.partitions}`);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  const kafka = new Kafka({ clientId: 'retour-ingest-bench', brokers: values.brokers.split(','), logLevel: logLevel.WARN });
  const topic = `bench-ingest-${Date.now().toString(36)}`;

  log(`ingest bench: ${events.toLocaleString('en')} events, ${partitions} partitions, batches of ${batch}, broker ${values.brokers}`);
  const production = await produce(kafka, topic, partitions, events, log);
  log(`produced ${production.produced.toLocaleString('en')} events (${megabytes(production.bytes)} MB) in ${production.seconds.toFixed(1)} s; peak RSS so far ${peakRssMegabytes()} MB`);
  try {
    let bareSeconds: number | undefined;
    if (values['skip-bare'] !== true) {
      bareSeconds = await bareConsume(kafka, topic, production.produced);
      log(`bare kafkajs consume: ${bareSeconds.toFixed(2)} s, ${Math.round(production.produced / bareSeconds).toLocaleString('en')} events/s`);
    }
    const rssBeforeIngest = peakRssMegabytes();
    const ingest = await retourIngest(values.brokers, topic, production.produced, batch, values['memory-limit']);
    const ingestRate = Math.round(production.produced / ingest.seconds);
    log(`retour ingest: ${ingest.seconds.toFixed(2)} s, ${ingestRate.toLocaleString('en')} events/s (${ingest.stored.toLocaleString('en')} stored in ${ingest.batches} transactions)`);
    const ratio = bareSeconds === undefined ? undefined : Number((bareSeconds / ingest.seconds).toFixed(3));
    if (ratio !== undefined) log(`ratio retour / bare: ${ratio}`);
    log(`closing the database (final checkpoint): ${ingest.closeSeconds.toFixed(2)} s`);
    log(`peak RSS: ${peakRssMegabytes()} MB (before ingest: ${rssBeforeIngest} MB)`);
    return {
      events: production.produced,
      partitions,
      batch,
      megabytes: megabytes(production.bytes),
      produceSeconds: Number(production.seconds.toFixed(2)),
      bareSeconds: bareSeconds === undefined ? null : Number(bareSeconds.toFixed(2)),
      bareEventsPerSecond: bareSeconds === undefined ? null : Math.round(production.produced / bareSeconds),
      ingestSeconds: Number(ingest.seconds.toFixed(2)),
      ingestEventsPerSecond: ingestRate,
      closeSeconds: Number(ingest.closeSeconds.toFixed(2)),
      memoryLimit: values['memory-limit'] === '' ? null : values['memory-limit'],
      stored: ingest.stored,
      ratio,
      peakRssMB: peakRssMegabytes(),
      peakRssBeforeIngestMB: rssBeforeIngest,
    };
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}
