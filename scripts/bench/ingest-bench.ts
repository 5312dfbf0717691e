/**
 * `npm run bench -- ingest [--events N] [--partitions P] [--batch N] [--catch-up N] [--brokers H:P] [--skip-bare] [--memory-limit 256MB]
 *   [--checkpoint-threshold 128MB] [--topic NAME] [--keep-topic]`
 *
 * Pre-produces N realistic events (default 1M) to a fresh topic on a real broker, then, in the
 * same run and with the same fetch settings:
 *   1. a bare kafkajs consumer that only counts the messages (the baseline: what kafkajs alone costs);
 *   2. Retour's ingest (runKafkaIngest into a fresh DuckDB file), timed until every event is
 *      committed in DuckDB.
 * Prints events/s of both, the ratio, peak RSS, the event-loop delay during ingest (what an API in the
 * same process would feel: `retour serve`), a memory breakdown sampled during ingest, and returns
 * the summary (the JSON last line). `--keep-topic` leaves the produced topic for later runs, and
 * `--topic NAME` reuses it (no production, not deleted) so that repeated runs read the same messages.
 * Goal (DESIGN.md): ≥ 100k events/s, ratio ≥ 0.7, RSS ≤ 512 MB.
 *
 * Profile: node --cpu-prof --cpu-prof-dir=.scratch/prof bin/run-ts.mjs scripts/bench.ts ingest --skip-bare
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { INGEST_THREADS } from '../../config/config-variables.ts';
import { configWith } from '../../config/load-config.ts';
import { runKafkaIngest, type KafkaConsumerTuning } from '../../ingest/kafka-ingest.ts';
import { DEFAULT_FETCH } from '../../messaging/consumer/create-batch-consumer.ts';
import { openDatabase } from '../../store/open-database.ts';
import { startStallRecorder, type StallRecorder, type StallReport } from './event-loop-stall-recorder.ts';
import { produceBenchEvents } from './produce-bench-events.ts';

/** The fetch settings both consumers use: Retour's defaults (same throughput as 4/32 MiB in a bare consume, far shorter event-loop stalls). */
const FETCH: NonNullable<KafkaConsumerTuning['fetch']> = DEFAULT_FETCH;

const megabytes = (bytes: number): number => Math.round(bytes / 1024 / 1024);
const peakRssMegabytes = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

async function bareConsume(kafka: Kafka, topic: string, expected: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${topic}-bare-${Date.now().toString(36)}`, ...FETCH });
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

interface MemorySample {
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  /** duckdb_memory() by tag (MB, rounded; tags under 1 MB left out), read right after the sample. */
  duckdb: Record<string, number>;
  duckdbTotalMB: number;
}

interface IngestRun {
  seconds: number;
  stored: number;
  batches: number;
  closeSeconds: number;
  loopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  /** Stalls by length and GC pauses during ingest (event-loop-stall-recorder.ts). */
  stalls: StallReport | undefined;
  /** Busy time of the JavaScript thread (event-loop utilisation × wall) and CPU time of the whole process (DuckDB's threads too). */
  jsBusySeconds: number;
  cpuSeconds: number;
  /** The sample with the highest RSS during ingest (process.memoryUsage() + duckdb_memory()). */
  peakSample: MemorySample | undefined;
}

async function sampleMemory(monitor: DuckDBConnection): Promise<MemorySample> {
  const usage = process.memoryUsage();
  const duckdb: Record<string, number> = {};
  let total = 0;
  const reader = await monitor.runAndReadAll('SELECT tag, memory_usage_bytes FROM duckdb_memory()');
  for (const [tag, bytes] of reader.getRows()) {
    total += Number(bytes);
    if (Number(bytes) >= 1024 * 1024) duckdb[String(tag)] = megabytes(Number(bytes));
  }
  return {
    rssMB: megabytes(usage.rss),
    heapUsedMB: megabytes(usage.heapUsed),
    heapTotalMB: megabytes(usage.heapTotal),
    externalMB: megabytes(usage.external),
    arrayBuffersMB: megabytes(usage.arrayBuffers),
    duckdb,
    duckdbTotalMB: megabytes(total),
  };
}

interface IngestSettings {
  batch: number;
  catchUp: number | undefined;
  memoryLimit: string;
  checkpointThreshold: string;
  /** DuckDB threads of the writer's instance; undefined = DuckDB's default (the cores). */
  threads: number | undefined;
  /** RETOUR_INGEST_THREAD: consume and decode on the ingest worker thread, or on the writer's. */
  thread: (typeof INGEST_THREADS)[number];
}

async function retourIngest(brokers: string, topic: string, expected: number, settings: IngestSettings): Promise<IngestRun> {
  const { batch, memoryLimit, checkpointThreshold } = settings;
  const folder = mkdtempSync(join(tmpdir(), 'retour-ingest-bench-'));
  const environment: Record<string, string> = {
    RETOUR_KAFKA_BROKERS: brokers,
    RETOUR_TOPICS: topic,
    RETOUR_GROUP_ID: `${topic}-retour-${Date.now().toString(36)}`,
    RETOUR_TOPIC_DLQ: `${topic}-dlq`,
    RETOUR_BATCH_MAX_EVENTS: String(batch),
    RETOUR_BATCH_MAX_WAIT_MS: '250',
    RETOUR_INGEST_THREAD: settings.thread,
  };
  // Empty = the configuration's default, so the bench measures what a user gets.
  if (memoryLimit !== '') environment['RETOUR_DUCKDB_MEMORY_LIMIT'] = memoryLimit;
  if (checkpointThreshold !== '') environment['RETOUR_DUCKDB_CHECKPOINT_THRESHOLD'] = checkpointThreshold;
  const config = configWith(environment);
  const database = await openDatabase({ path: join(folder, 'bench.duckdb') });
  const monitor = await database.connect();
  const abort = new AbortController();
  let finishedAt = 0;
  let stored = 0;
  let batches = 0;
  let closeSeconds = 0;
  let peakSample: MemorySample | undefined;
  let sampling = Promise.resolve();
  const sampler = setInterval(() => {
    if (process.memoryUsage.rss() <= (peakSample?.rssMB ?? 0) * 1024 * 1024) return;
    sampling = sampling
      .then(() => sampleMemory(monitor))
      .then((sample) => {
        if (sample.rssMB > (peakSample?.rssMB ?? 0)) peakSample = sample;
      })
      .catch(() => undefined);
  }, 200);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const utilisationAtStart = performance.eventLoopUtilization();
  const cpuAtStart = process.cpuUsage();
  let jsBusySeconds = 0;
  let cpuSeconds = 0;
  let stallRecorder: StallRecorder | undefined;
  let stalls: StallReport | undefined;
  const started = performance.now();
  try {
    loopDelay.enable();
    stallRecorder = startStallRecorder();
    await runKafkaIngest({
      connection: await database.connect(),
      config,
      logger: pino({ level: 'warn' }),
      signal: abort.signal,
      consumerTuning: { fetch: FETCH },
      ...(settings.catchUp === undefined ? {} : { catchUpBatchMessages: settings.catchUp }),
      ...(settings.threads === undefined ? {} : { writerThreads: settings.threads }),
      onBatch(progress) {
        stored = progress.stored;
        batches = progress.batches;
        if (progress.consumed >= expected && finishedAt === 0) {
          finishedAt = performance.now();
          loopDelay.disable();
          stalls = stallRecorder?.stop();
          jsBusySeconds = performance.eventLoopUtilization(utilisationAtStart).active / 1000;
          const cpu = process.cpuUsage(cpuAtStart);
          cpuSeconds = (cpu.user + cpu.system) / 1e6;
          abort.abort();
        }
      },
    });
  } finally {
    loopDelay.disable();
    if (stalls === undefined) stallRecorder?.stop();
    clearInterval(sampler);
    await sampling;
    // Closing checkpoints what checkpoint_threshold deferred: timed apart, it is part of the cost.
    const closing = performance.now();
    database.close();
    closeSeconds = (performance.now() - closing) / 1000;
    rmSync(folder, { recursive: true, force: true });
  }
  const ms = (nanoseconds: number): number => Number((nanoseconds / 1e6).toFixed(1));
  return {
    seconds: (finishedAt - started) / 1000,
    stored,
    batches,
    closeSeconds,
    loopDelay: { p50Ms: ms(loopDelay.percentile(50)), p99Ms: ms(loopDelay.percentile(99)), maxMs: ms(loopDelay.max) },
    stalls,
    jsBusySeconds: Number(jsBusySeconds.toFixed(2)),
    cpuSeconds: Number(cpuSeconds.toFixed(2)),
    peakSample,
  };
}

/** Messages retained in a topic (sum over partitions of high − low watermark). */
async function countMessages(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let count = 0;
    for (const { high, low } of await admin.fetchTopicOffsets(topic)) count += Number(high) - Number(low);
    return count;
  } finally {
    await admin.disconnect();
  }
}

export async function runIngestBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: 'string', default: '1000000' },
      partitions: { type: 'string', default: '6' },
      batch: { type: 'string', default: '20000' },
      'catch-up': { type: 'string', default: '' },
      brokers: { type: 'string', default: process.env['RETOUR_KAFKA_BROKERS'] || '127.0.0.1:19092' },
      'skip-bare': { type: 'boolean', default: false },
      'memory-limit': { type: 'string', default: '' },
      'checkpoint-threshold': { type: 'string', default: '' },
      // As `retour ingest`: RETOUR_INGEST_DUCKDB_THREADS, default 1; 0 = DuckDB's default (the cores).
      threads: { type: 'string', default: process.env['RETOUR_INGEST_DUCKDB_THREADS'] || '1' },
      // As `retour ingest`: RETOUR_INGEST_THREAD, default worker.
      thread: { type: 'string', default: process.env['RETOUR_INGEST_THREAD'] || 'worker' },
      topic: { type: 'string', default: '' },
      'keep-topic': { type: 'boolean', default: false },
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
  const reused = values.topic !== '';
  const topic = reused ? values.topic : `bench-ingest-${Date.now().toString(36)}`;

  let production: { produced: number; bytes: number; seconds: number | undefined };
  if (reused) {
    production = { produced: await countMessages(kafka, topic), bytes: 0, seconds: undefined };
    log(`ingest bench: existing topic ${topic} with ${production.produced.toLocaleString('en')} messages, batches of ${batch}, broker ${values.brokers}`);
  } else {
    log(`ingest bench: ${events.toLocaleString('en')} events, ${partitions} partitions, batches of ${batch}, broker ${values.brokers}`);
    production = await produceBenchEvents(kafka, { topic, partitions, events, log });
    log(`produced ${production.produced.toLocaleString('en')} events (${megabytes(production.bytes)} MB) in ${production.seconds?.toFixed(1)} s; peak RSS so far ${peakRssMegabytes()} MB`);
  }
  try {
    let bareSeconds: number | undefined;
    if (values['skip-bare'] !== true) {
      bareSeconds = await bareConsume(kafka, topic, production.produced);
      log(`bare kafkajs consume: ${bareSeconds.toFixed(2)} s, ${Math.round(production.produced / bareSeconds).toLocaleString('en')} events/s`);
    }
    const rssBeforeIngest = peakRssMegabytes();
    const catchUp = values['catch-up'] === '' ? undefined : Number(values['catch-up']);
    const threadSetting = Number(values.threads);
    if (!(Number.isInteger(threadSetting) && threadSetting >= 0)) throw new RangeError(`--threads must be an integer >= 0 (0 = DuckDB's default); got ${values.threads}`);
    const threads = threadSetting === 0 ? undefined : threadSetting;
    const thread = values.thread;
    if (!isIngestThread(thread)) throw new RangeError(`--thread must be one of ${INGEST_THREADS.join(', ')}; got ${thread}`);
    const ingest = await retourIngest(values.brokers, topic, production.produced, {
      batch,
      catchUp,
      memoryLimit: values['memory-limit'],
      checkpointThreshold: values['checkpoint-threshold'],
      threads,
      thread,
    });
    const ingestRate = Math.round(production.produced / ingest.seconds);
    const rateWithClose = Math.round(production.produced / (ingest.seconds + ingest.closeSeconds));
    log(`retour ingest: ${ingest.seconds.toFixed(2)} s, ${ingestRate.toLocaleString('en')} events/s (${ingest.stored.toLocaleString('en')} stored in ${ingest.batches} transactions)`);
    const ratio = bareSeconds === undefined ? undefined : Number((bareSeconds / ingest.seconds).toFixed(3));
    if (ratio !== undefined) log(`ratio retour / bare: ${ratio}`);
    log(`closing the database (final checkpoint): ${ingest.closeSeconds.toFixed(2)} s; ${rateWithClose.toLocaleString('en')} events/s with it`);
    log(`during ingest: JavaScript thread busy ${ingest.jsBusySeconds} s, process CPU ${ingest.cpuSeconds} s (all threads)`);
    log(`event-loop delay during ingest: p50 ${ingest.loopDelay.p50Ms} ms, p99 ${ingest.loopDelay.p99Ms} ms, max ${ingest.loopDelay.maxMs} ms`);
    if (ingest.stalls !== undefined) {
      const { stallsAtLeastMs, stalledMs, gc } = ingest.stalls;
      log(`event-loop stalls during ingest (≥ ms: count): ${Object.entries(stallsAtLeastMs).map(([ms, count]) => `${ms}: ${count}`).join(', ')}; ${stalledMs} ms stalled in all`);
      log(`GC pauses: ${Object.entries(gc).map(([kind, p]) => `${kind} ${p.count}× ${p.totalMs} ms (max ${p.maxMs}, ≥ 5 ms: ${p.atLeast5Ms})`).join('; ')}`);
    }
    log(`peak RSS: ${peakRssMegabytes()} MB (before ingest: ${rssBeforeIngest} MB); memory at the highest sampled RSS: ${JSON.stringify(ingest.peakSample)}`);
    return {
      events: production.produced,
      partitions,
      batch,
      catchUpBatch: catchUp ?? null,
      threads: threads ?? null,
      thread,
      megabytes: reused ? null : megabytes(production.bytes),
      produceSeconds: production.seconds === undefined ? null : Number(production.seconds.toFixed(2)),
      bareSeconds: bareSeconds === undefined ? null : Number(bareSeconds.toFixed(2)),
      bareEventsPerSecond: bareSeconds === undefined ? null : Math.round(production.produced / bareSeconds),
      ingestSeconds: Number(ingest.seconds.toFixed(2)),
      ingestEventsPerSecond: ingestRate,
      closeSeconds: Number(ingest.closeSeconds.toFixed(2)),
      ingestEventsPerSecondWithClose: rateWithClose,
      memoryLimit: values['memory-limit'] === '' ? null : values['memory-limit'],
      checkpointThreshold: values['checkpoint-threshold'] === '' ? null : values['checkpoint-threshold'],
      stored: ingest.stored,
      ratio,
      jsBusySeconds: ingest.jsBusySeconds,
      cpuSeconds: ingest.cpuSeconds,
      loopDelayP50Ms: ingest.loopDelay.p50Ms,
      loopDelayP99Ms: ingest.loopDelay.p99Ms,
      loopDelayMaxMs: ingest.loopDelay.maxMs,
      stalls: ingest.stalls ?? null,
      peakRssMB: peakRssMegabytes(),
      peakRssBeforeIngestMB: rssBeforeIngest,
      peakSample: ingest.peakSample ?? null,
    };
  } finally {
    if (!reused && values['keep-topic'] !== true) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    } else if (!reused) {
      log(`kept topic ${topic} (reuse it with --topic ${topic})`);
    }
  }
}

function isIngestThread(value: string): value is (typeof INGEST_THREADS)[number] {
  return (INGEST_THREADS as readonly string[]).includes(value);
}
