import type { DuckDBConnection } from '@duckdb/node-api';
import { buildApp } from '../../api/build-app.ts';
import { createRiskSnapshotHolder } from '../../api/risk-snapshot-holder.ts';
import type { IngestHealth } from '../../api/routes/operations-routes.ts';
import { createConfiguredIngestPacer } from '../../ingest/ingest-pacer.ts';
import { runKafkaIngest } from '../../ingest/kafka-ingest.ts';
import { kafkaSecurityFromConfig } from '../../ingest/kafka-security-from-config.ts';
import { JOBS } from '../../jobs/job-registry.ts';
import { qualityJob } from '../../jobs/quality/quality-job.ts';
import { riskJob } from '../../jobs/risk/risk-job.ts';
import { firstTrainingDelayMs, promotedVersionOf, trainingControlOf, trainJob } from '../../jobs/risk/train-job.ts';
import { createJobScheduler, type JobSchedulerOptions } from '../../jobs/job-scheduler.ts';
import type { ConsumerConnection } from '../../messaging/consumer/batch-consumer.ts';
import { createEventProducer } from '../../messaging/producer/create-event-producer.ts';
import { createRetourMetrics } from '../../observability/metrics-registry.ts';
import { createRequestActivity } from '../../observability/request-activity.ts';
import { failAbandonedJobRuns, readLastCompletedJobRun } from '../../store/job-runs.ts';
import { keepMainThreadFirst } from '../thread-priority.ts';
import { openDatabase } from '../../store/open-database.ts';
import { loadRiskSnapshots } from '../../store/risk/load-risk-snapshots.ts';
import type { Command } from '../command.ts';
import { ensureDemoKeys } from '../demo/ensure-demo-keys.ts';
import { replayDemoQuality } from '../demo/replay-demo-quality.ts';
import { loadDemoState, runDemoFeed } from '../demo/run-demo-feed.ts';

/**
 * Weeks of quality history the demo replays once its simulated history is ingested: the 240-day history
 * minus the first ~11 weeks, which the alert test needs as baseline (8 weeks, lagged 2 weeks) and window.
 */
const DEMO_QUALITY_REPLAY_WEEKS = 22;

/**
 * Demo scale: big enough that best-selling products pass the quality job's minimum weekly units and
 * rings and fraud types all appear, small enough to ingest the 240-day history in seconds, long enough (≥ 204 days) for `retour model
 * train` to make its time split on demo data. The seed is
 * arbitrary but fixed; with this one, defect episodes on best-sellers fall inside the replayed weeks,
 * so a new user sees alerts open and resolve (serve-demo.int.test.ts checks that alerts appear).
 */
const DEMO_DEFAULTS = { seed: 20261127, customers: 10_000, products: 60, defectEpisodes: 12, historyDays: 240, liveDays: 60 } as const;

/**
 * /readyz from the Kafka consumer's connection: not ready while it reconnects, so load balancers
 * and alerting learn of a Kafka outage when it starts, not when kafkajs gives up and the process
 * exits. The hot routes keep answering from memory meanwhile.
 */
function kafkaIngestHealth(connection: ConsumerConnection): IngestHealth {
  return {
    state: connection.state,
    ready: connection.state !== 'reconnecting',
    since: new Date(connection.since),
    ...(connection.lastError === undefined ? {} : { lastError: connection.lastError }),
  };
}

/** What to tell the user when the API cannot listen for a reason of their setup, or undefined. */
function listenFailure(error: unknown, host: string, port: number): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is in use by another program; stop it or set RETOUR_PORT`;
  if (code === 'EACCES') return `no permission to listen on port ${port} on ${host}; set RETOUR_PORT to a port above 1023`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `cannot listen on ${host}: no such address on this machine; set RETOUR_HOST`;
  return undefined;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run ingest, the job scheduler and the API in one process',
  usage: 'serve [--demo]',
  options: { demo: { type: 'boolean', description: 'Feed ingest from the built-in marketplace simulator instead of Kafka' } },
  details:
    'npm start runs `retour serve --demo`. Without --demo, ingest reads Kafka when RETOUR_KAFKA_BROKERS is set.\n' +
    'Ctrl-C (SIGINT) or SIGTERM drains the current batch, stops the jobs and the API, and exits 0.',
  async run(context) {
    const { config, logger, signal } = context;
    const demo = context.options['demo'] === true;
    const metrics = createRetourMetrics();
    // The API's event loop first: DuckDB, the ingest worker and the jobs' workers take the cores it leaves.
    const threadPriority = keepMainThreadFirst({
      priority: config.serveBackgroundThreads,
      onError: (error) => logger.warn({ err: error }, 'cannot lower the priority of background threads; the API shares the cores with them equally'),
    });
    const database = await openDatabase({ path: config.database });
    const stopping = new AbortController();
    signal.addEventListener('abort', () => stopping.abort(), { once: true });
    const producer = config.kafkaBrokers.length > 0 ? createEventProducer({ brokers: config.kafkaBrokers, security: kafkaSecurityFromConfig(config), clientId: `${config.kafkaClientId}-serve`, logger }) : undefined;
    let ingestState: IngestHealth = { state: 'starting', ready: false };
    try {
      const jobConnections = new Map<string, DuckDBConnection>();
      const maintenance = await database.connect();
      await failAbandonedJobRuns(maintenance, new Date());
      // The hot risk routes answer from memory; the whole Map is swapped after each risk run.
      const riskSnapshots = createRiskSnapshotHolder(await loadRiskSnapshots(maintenance));
      const demoKeys = demo ? await ensureDemoKeys(maintenance, config.dataDir, new Date()) : undefined;
      // Training runs on its own cadence (RETOUR_TRAIN_EVERY), counted from the last training recorded,
      // so a restart does not retrain; with `off` it runs only when an admin asks (POST /v1/models/train).
      const trainEverySeconds = config.trainEverySeconds;
      const intervalSeconds = trainEverySeconds === null ? config.jobIntervalSeconds : { ...config.jobIntervalSeconds, [trainJob.name]: trainEverySeconds };
      const firstRunDelayMs =
        trainEverySeconds === null ? {} : { [trainJob.name]: firstTrainingDelayMs({ lastCompleted: await readLastCompletedJobRun(maintenance, trainJob.name), everySeconds: trainEverySeconds, now: new Date() }) };
      const schedulerOptions: Omit<JobSchedulerOptions, 'jobs'> = {
        intervalSeconds,
        firstRunDelayMs,
        logger,
        metrics,
        onSuccess: async (job, result) => {
          if (job.name === riskJob.name) riskSnapshots.replace(await loadRiskSnapshots(maintenance));
          // A new model in service: rescore everyone now, not at the next interval (the snapshots follow the risk run).
          const promoted = promotedVersionOf(job, result);
          if (promoted !== undefined) {
            logger.info({ version: promoted }, 'new fraud model in service; rescoring');
            // mainScheduler is declared below; the scheduler calls this only after it started.
            mainScheduler.runSoon(riskJob.name);
          }
        },
        contextFor: async (job) => {
          let connection = jobConnections.get(job.name);
          if (connection === undefined) {
            connection = await database.connect();
            jobConnections.set(job.name, connection);
          }
          const publish = producer === undefined ? undefined : (topic: string, messages: { key?: string; value: string }[]) => producer.send(topic, messages);
          return { connection, config, logger: logger.child({ job: job.name }), now: new Date(), fullRebuild: false, ...(publish === undefined ? {} : { publish }) };
        },
      };
      // The demo starts quality's schedule after its replay (below), the other jobs at once.
      const jobs = [...(demo ? JOBS.filter((job) => job.name !== qualityJob.name) : JOBS), trainJob];
      const mainScheduler = createJobScheduler({ ...schedulerOptions, jobs });
      const demoQualityScheduler = demo ? createJobScheduler({ ...schedulerOptions, jobs: [qualityJob] }) : undefined;
      // The API goes first: while it serves requests, ingest works in short batches with rests.
      const requestActivity = createRequestActivity();
      const ingestPacer = createConfiguredIngestPacer(config, requestActivity.busy);
      const app = await buildApp({
        requestActivity,
        logger,
        connection: await database.connect(),
        schemaVersion: database.schemaVersion,
        ingestState: () => ingestState,
        config,
        metrics,
        riskSnapshots,
        ...(producer === undefined ? {} : { producer }),
        modelTraining: trainingControlOf(mainScheduler, () => mainScheduler.runSoon(riskJob.name)),
      });
      let analyticsStarted: Promise<void> | undefined;
      try {
        let address: string;
        try {
          address = await app.listen({ host: config.host, port: config.port });
        } catch (error: unknown) {
          const reason = listenFailure(error, config.host, config.port);
          if (reason === undefined) throw error;
          context.stderr.write(`retour serve: ${reason}\n`);
          return 1;
        }
        logger.info({ address }, 'API listening');
        context.stdout.write(`Retour API listening on ${address} (health: ${address}/healthz, API docs: ${address}/docs)\n`);
        context.stdout.write(`Review console: ${address}/console\n`);
        if (demoKeys !== undefined) context.stdout.write(`Demo API keys (one per role): ${demoKeys.path} — paste the "risk" key into the console\n`);
        // In the demo the jobs start once the simulated history is in (see startDemoAnalytics).
        if (!demo) mainScheduler.start();
        const ingestConnection = await database.connect();
        // Review decisions ingest stored (another reviewing tool) close flags at once: not shown as open meanwhile.
        const noteFlagsClosed = (flags: readonly { flagId: string; customerId: string }[]): void => {
          for (const flag of flags) riskSnapshots.noteFlagClosed(flag);
        };
        if (demo) {
          // Quality alerts for the simulated history, as if the job had run every day all along
          // (the fault scan is built for daily runs: a weekly replay tests an episode's first days
          // too young or with a baseline it already contaminated, and found none of this seed's),
          // so a new user sees alerts and their lifecycle at once; then the regular schedule.
          const startDemoAnalytics = async (): Promise<void> => {
            try {
              const to = new Date();
              const from = new Date(to.getTime() - DEMO_QUALITY_REPLAY_WEEKS * 7 * 86_400_000);
              await replayDemoQuality({ job: qualityJob, connection: await database.connect(), config, logger, signal: stopping.signal, from, to });
            } finally {
              demoQualityScheduler?.start();
            }
          };
          let historyReported = false;
          const state = loadDemoState(config.dataDir, Date.now(), DEMO_DEFAULTS);
          ingestState = { state: 'demo-history', ready: true };
          context.stdout.write(`Demo: simulating ${state.customers} customers from ${state.startDate}; history is ingested first, then events arrive in real time.\n`);
          const summary = await runDemoFeed(
            {
              connection: ingestConnection,
              config,
              logger,
              signal: stopping.signal,
              metrics,
              onFlagsClosed: noteFlagsClosed,
              onProgress: (progress) => {
                // A progress line on a terminal only; logs and pipes stay quiet.
                if (context.stderr.isTTY === true && !historyReported) {
                  context.stderr.write(
                    progress.caughtUp
                      ? `\rDemo history ingested: ${progress.ingested} events. Events now arrive in real time.\n`
                      : `\rIngesting demo history: ${progress.ingested} events, simulated up to ${progress.simulatedUntil.slice(0, 10)}   `,
                  );
                  historyReported = progress.caughtUp;
                }
                if (progress.caughtUp && analyticsStarted === undefined) {
                  // Risk flags need no history replay: their schedule starts with the quality replay.
                  mainScheduler.start();
                  analyticsStarted = startDemoAnalytics().catch((error: unknown) => logger.error({ err: error }, 'demo quality replay could not start; the scheduler runs the jobs anyway'));
                }
                ingestState = { state: progress.caughtUp ? 'demo-live' : 'demo-history', ready: true };
              },
            },
            state,
          );
          logger.info(summary, 'demo feed stopped');
        } else if (config.kafkaBrokers.length > 0) {
          // Ready while connecting, as before the first join (which can take a session timeout).
          ingestState = { state: 'connecting', ready: true };
          // runKafkaIngest logs "ingest stopped" with its summary itself.
          await runKafkaIngest({
            connection: ingestConnection,
            config,
            logger,
            signal: stopping.signal,
            pacer: ingestPacer,
            metrics,
            onFlagsClosed: noteFlagsClosed,
            onConsumerConnection: (connection) => {
              ingestState = kafkaIngestHealth(connection);
            },
          });
        } else {
          ingestState = { state: 'disabled', ready: true };
          logger.warn('no RETOUR_KAFKA_BROKERS and no --demo: serving stored data without ingest');
          await new Promise<void>((resolve) => {
            if (stopping.signal.aborted) resolve();
            else stopping.signal.addEventListener('abort', () => resolve(), { once: true });
          });
        }
        ingestState = { state: 'stopped', ready: false };
      } finally {
        await analyticsStarted;
        await mainScheduler.stop();
        await demoQualityScheduler?.stop();
        await app.close();
      }
      return 0;
    } finally {
      threadPriority.stop();
      await producer?.close();
      database.close();
    }
  },
};
