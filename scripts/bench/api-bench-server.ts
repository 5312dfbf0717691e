/**
 * The server process of `npm run bench -- api` (forked by api-bench.ts, which talks to it over IPC).
 *
 * It composes the process as `retour serve` does with Kafka configured: one DuckDB file, the API
 * (buildApp with the serve logger, the process metrics and an event producer) and Kafka ingest
 * (runKafkaIngest on its own connection) consuming a pre-produced backlog, all on one event loop.
 * Two differences, both deliberate: the risk snapshots are synthetic (the hot routes answer from
 * memory, so their content is what matters, not where it came from) and the job scheduler does not
 * run (a job run is its own load; this bench is about the API next to ingest).
 * Next to it, a bare fastify instance answers a constant: the baseline, on the same event loop.
 *
 * Per phase (the parent says when one starts and ends) it reports the event-loop delay
 * (perf_hooks.monitorEventLoopDelay, 1 ms resolution), the events ingest committed and the process
 * CPU time, so a latency tail can be attributed to ingest's synchronous stretches or to the routes.
 *
 * argv: JSON of ServerOptions.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Fastify from 'fastify';
import { buildApp } from '../../api/build-app.ts';
import { createRiskSnapshotHolder } from '../../api/risk-snapshot-holder.ts';
import { createLogger } from '../../cli/create-logger.ts';
import { keepMainThreadFirst } from '../../cli/thread-priority.ts';
import { configWith } from '../../config/load-config.ts';
import { createConfiguredIngestPacer } from '../../ingest/ingest-pacer.ts';
import { runKafkaIngest, type KafkaIngestSummary } from '../../ingest/kafka-ingest.ts';
import { createEventProducer } from '../../messaging/producer/create-event-producer.ts';
import { mainThreadCpu, mainThreadCpuSince } from './main-thread-cpu.ts';
import { mainThreadCoreWaitSeconds } from '../../observability/main-thread-core-wait.ts';
import { createRetourMetrics } from '../../observability/metrics-registry.ts';
import { createRequestActivity } from '../../observability/request-activity.ts';
import { openDatabase } from '../../store/open-database.ts';
import { startStallRecorder, type StallRecorder, type StallReport } from './event-loop-stall-recorder.ts';
import { syntheticRiskSnapshots } from './synthetic-risk-snapshots.ts';

export interface ServerOptions {
  database: string;
  /** Empty: no ingest. */
  brokers: string;
  topic: string;
  customers: number;
  logLevel: string;
  /** RETOUR_INGEST_BUSY_SHARE of the server. */
  ingestBusyShare: number;
  /** RETOUR_INGEST_BUSY_BATCH_EVENTS of the server. */
  ingestBusyBatchEvents: number;
  /** RETOUR_INGEST_THREAD of the server. */
  ingestThread: string;
  /** RETOUR_SERVE_BACKGROUND_THREADS of the server. */
  backgroundThreads: string;
}

/** Messages the parent sends. */
export type ServerCommand = { type: 'phase-start'; name: string } | { type: 'phase-end' } | { type: 'stop' };

export interface EventLoopDelaySummary {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface PhaseReport {
  type: 'phase';
  name: string;
  seconds: number;
  eventLoopDelay: EventLoopDelaySummary;
  /** Stalls by length and GC pauses by kind during the phase (event-loop-stall-recorder.ts). */
  stalls: StallReport;
  /** Events ingest committed during the phase, and per second. */
  ingestEvents: number;
  ingestEventsPerSecond: number;
  /** Events committed since start (to tell whether the backlog ran out). */
  ingestConsumedTotal: number;
  /** Process CPU (all threads: JS, DuckDB, libuv) per wall second, 1.0 = one core. */
  cpuCores: number;
  /**
   * Time the main thread (the event loop) was runnable but waiting for a core, from the kernel's
   * /proc/…/schedstat: stalls that are CPU contention, not JavaScript. null where not available.
   */
  mainThreadRunQueueMs: number | null;
  /** The main thread's own CPU, user and kernel (main-thread-cpu.ts); null where not available. */
  mainThreadCpu: { userMs: number; kernelMs: number } | null;
}


/** Messages the server sends. */
export type ServerMessage =
  | { type: 'ready'; apiBase: string; bareBase: string; key: string }
  | PhaseReport
  | { type: 'stopped'; ingest: KafkaIngestSummary | null };

const round2 = (value: number): number => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
  const send = (message: ServerMessage): void => {
    process.send?.(message);
  };
  const config = configWith({
    RETOUR_DATABASE: options.database,
    RETOUR_LOG_LEVEL: options.logLevel,
    RETOUR_KAFKA_BROKERS: options.brokers,
    RETOUR_TOPICS: options.topic,
    RETOUR_GROUP_ID: `${options.topic}-retour`,
    RETOUR_TOPIC_DLQ: `${options.topic}-dlq`,
    RETOUR_TOPIC_DECISIONS: `${options.topic}-decisions`,
    // The rate limit stays on (its bookkeeping is part of a route's cost) but never triggers.
    RETOUR_RATE_LIMIT_PER_MINUTE: '100000000',
    RETOUR_INGEST_BUSY_SHARE: String(options.ingestBusyShare),
    RETOUR_INGEST_BUSY_BATCH_EVENTS: String(options.ingestBusyBatchEvents),
    RETOUR_INGEST_THREAD: options.ingestThread,
    RETOUR_SERVE_BACKGROUND_THREADS: options.backgroundThreads,
  });
  // As in `retour serve`: one logger, one metrics registry, a producer when Kafka is configured.
  const logger = createLogger(config.logLevel);
  const metrics = createRetourMetrics();
  const database = await openDatabase({ path: config.database });
  const producer = config.kafkaBrokers.length > 0 ? createEventProducer({ brokers: config.kafkaBrokers, clientId: `${config.kafkaClientId}-serve`, logger }) : undefined;
  // As in `retour serve`: ingest gives way while the API is serving (ingest-pacer.ts).
  const requestActivity = createRequestActivity();
  const priority = keepMainThreadFirst({ priority: config.serveBackgroundThreads, onError: (error) => logger.warn({ err: error }, 'cannot lower the priority of background threads') });
  const app = await buildApp({
    requestActivity,
    logger,
    connection: await database.connect(),
    schemaVersion: database.schemaVersion,
    ingestState: () => ({ state: 'consuming', ready: true }),
    config,
    metrics,
    riskSnapshots: createRiskSnapshotHolder(syntheticRiskSnapshots(options.customers, 7)),
    ...(producer === undefined ? {} : { producer }),
  });
  const bare = Fastify();
  // Ingest gives way to the baseline too, so both are measured next to the same ingest.
  bare.addHook('onRequest', (_request, _reply, done) => {
    requestActivity.note();
    done();
  });
  bare.get('/', async () => ({ status: 'ok' }));
  // A second baseline for the POST route: the same JSON body parsed by fastify, a constant answered.
  bare.post('/', async () => ({ status: 'ok' }));
  const { key } = await app.retour.keyring.create({ role: 'service', name: 'bench' });
  const apiBase = await app.listen({ host: '127.0.0.1', port: 0 });
  const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });

  const stopping = new AbortController();
  let consumed = 0;
  const ingest: Promise<KafkaIngestSummary | null> =
    config.kafkaBrokers.length === 0
      ? Promise.resolve(null)
      : (async () =>
          runKafkaIngest({
            connection: await database.connect(),
            config,
            logger,
            signal: stopping.signal,
            pacer: createConfiguredIngestPacer(config, requestActivity.busy),
            metrics,
            onBatch: (progress) => {
              consumed = progress.consumed;
            },
          }))();
  ingest.catch((error: unknown) => {
    logger.error({ err: error }, 'bench ingest failed');
    process.exitCode = 1;
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      delay.disable();
      priority.stop();
      stopping.abort();
      const summary = await ingest.catch(() => null);
      await app.close();
      await bare.close();
      await producer?.close();
      database.close();
      if (process.connected) {
        send({ type: 'stopped', ingest: summary });
        process.disconnect();
      }
    })());

  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let phase = { name: '', startedAt: 0, consumedAtStart: 0, cpuAtStart: process.cpuUsage(), runQueueAtStart: mainThreadCoreWaitSeconds(), mainCpuAtStart: mainThreadCpu() };
  let stallRecorder: StallRecorder | undefined;
  process.on('message', (command: ServerCommand) => {
    if (command.type === 'phase-start') {
      delay.reset();
      stallRecorder?.stop();
      stallRecorder = startStallRecorder();
      phase = { name: command.name, startedAt: performance.now(), consumedAtStart: consumed, cpuAtStart: process.cpuUsage(), runQueueAtStart: mainThreadCoreWaitSeconds(), mainCpuAtStart: mainThreadCpu() };
      return;
    }
    if (command.type === 'phase-end') {
      const seconds = (performance.now() - phase.startedAt) / 1000;
      const cpu = process.cpuUsage(phase.cpuAtStart);
      const ms = (nanoseconds: number): number => round2(nanoseconds / 1e6);
      const stalls = (stallRecorder ?? startStallRecorder()).stop();
      stallRecorder = undefined;
      send({
        type: 'phase',
        name: phase.name,
        seconds: round2(seconds),
        eventLoopDelay: { meanMs: ms(delay.mean), p50Ms: ms(delay.percentile(50)), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max) },
        stalls,
        ingestEvents: consumed - phase.consumedAtStart,
        ingestEventsPerSecond: Math.round((consumed - phase.consumedAtStart) / seconds),
        ingestConsumedTotal: consumed,
        cpuCores: round2((cpu.user + cpu.system) / 1e6 / seconds),
        mainThreadCpu: ((used) => (used === undefined ? null : { userMs: round2(used.userSeconds * 1000), kernelMs: round2(used.kernelSeconds * 1000) }))(mainThreadCpuSince(phase.mainCpuAtStart, mainThreadCpu())),
        mainThreadRunQueueMs: ((waited) => (waited === undefined || phase.runQueueAtStart === undefined ? null : round2((waited - phase.runQueueAtStart) * 1000)))(mainThreadCoreWaitSeconds()),
      });
      return;
    }
    void stop();
  });
  // The parent gone (Ctrl-C, crash): drain and close as on `stop`, so no consumer is left behind.
  process.once('disconnect', () => void stop());
  send({ type: 'ready', apiBase, bareBase, key });
}

await main();
