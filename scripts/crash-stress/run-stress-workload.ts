/**
 * The process `scripts/crash-stress-jobs.ts` SIGKILLs: what `retour serve` does to its database, all
 * at once on their own connections, until it is killed — ingest batches of the simulated stream
 * (and re-sent ones), the quality, ops and risk jobs each in its own loop (fake Kafka publishing, so
 * flags and alerts are marked published), reviewers' decisions through the API's decideFlag, API
 * keys created and revoked, the outbox marked published, and model training with promotion.
 *
 * Usage: node bin/run-ts.mjs scripts/crash-stress/run-stress-workload.ts DB EVENTS.ndjson SEED
 * stdout: one line per step started or finished (`start risk`, `end risk`, `batch 1200`, …), for the
 * parent to tell what ran when it killed; stderr: one JSON line per failure, DuckDB's text verbatim.
 */
import { readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import pino from 'pino';
import { createDecisionOutbox } from '../../api/decision-outbox.ts';
import { decideFlag } from '../../api/decide-flag.ts';
import { createSerialQueue } from '../../api/serial-queue.ts';
import { configWith } from '../../config/load-config.ts';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { createEventBatchWriter, ingestBatch, readStoredOffsets, writerSettingsFromConfig, type RawMessage } from '../../ingest/ingest-batch.ts';
import { JOBS } from '../../jobs/job-registry.ts';
import type { Job } from '../../jobs/job.ts';
import { DEFAULT_RISK_FOREST, trainRiskModel } from '../../jobs/risk/train-risk-model.ts';
import { runJob } from '../../jobs/run-job.ts';
import { createApiKey, revokeApiKey } from '../../store/api/api-keys.ts';
import { markOutboxPublished, readUnpublishedOutbox } from '../../store/api/record-review-decision.ts';
import { failAbandonedJobRuns } from '../../store/job-runs.ts';
import { openDatabase } from '../../store/open-database.ts';
import { listFlags } from '../../store/risk/risk-flags.ts';
import { REPLAY_TOPIC, STREAM_TOPIC } from './stress-topics.ts';
import { createSeededRandom } from '../../models/random/seeded-random.ts';

const [path, eventsFile, seedText] = process.argv.slice(2);
if (path === undefined || eventsFile === undefined || seedText === undefined) throw new Error('usage: run-stress-workload.ts DB EVENTS.ndjson SEED');
const seeded = createSeededRandom(Number(seedText));
const random = (): number => seeded.next();
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const report = (step: string, error: unknown): void => {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  process.stderr.write(`${JSON.stringify({ step, message, ...(cause === undefined ? {} : { cause }) })}\n`);
};

const lines = readFileSync(eventsFile, 'utf8').split('\n').filter((line) => line !== '');
const database = await openDatabase({ path });
const silent = pino({ level: 'silent' });
const maintenance = await database.connect();
await failAbandonedJobRuns(maintenance, new Date());

/** The time of the newest stored event: the simulated "now" of every job run and decision. */
async function simulatedNow(connection: DuckDBConnection): Promise<Date> {
  const value = (await connection.runAndReadAll("SELECT epoch_ms(coalesce(max(event_time), TIMESTAMPTZ '2025-01-02')) FROM events")).getRows()[0]![0];
  return new Date(Number(value));
}

// The instance-wide settings of `retour serve` once ingest runs (checkpoint_threshold 1GB): what
// the jobs commit stays in the write-ahead log until a checkpoint, as it did in the reported crash.
const baseConfig = configWith({});
const writer = await createEventBatchWriter(await database.connect(), writerSettingsFromConfig(baseConfig));
let next = (await readStoredOffsets(writer.connection)).find((offset) => offset.topic === STREAM_TOPIC)?.nextOffset ?? 0;
let replayOffset = (await readStoredOffsets(writer.connection)).find((offset) => offset.topic === REPLAY_TOPIC)?.nextOffset ?? 0;

async function ingestLoop(): Promise<void> {
  for (;;) {
    const resend = next > 0 && (next >= lines.length || random() < 0.15);
    const size = next === 0 ? Math.floor(lines.length * 0.4) : 50 + Math.floor(random() * 700);
    const messages: RawMessage[] = [];
    if (resend) {
      const from = Math.floor(random() * Math.min(next, lines.length));
      // Only lines the stream already sent: a re-sent line is a counted duplicate, never new.
      for (const line of lines.slice(from, Math.min(from + 200, next))) messages.push({ topic: REPLAY_TOPIC, partition: 0, offset: replayOffset++, value: line });
    } else {
      lines.slice(next, next + size).forEach((line, index) => messages.push({ topic: STREAM_TOPIC, partition: 0, offset: next + index, value: line }));
    }
    say(`start batch ${messages.length}`);
    try {
      await ingestBatch(writer, messages, { maxEventBytes: baseConfig.maxEventBytes });
      if (!resend) next += messages.length;
      say(`end batch ${messages.length}`);
    } catch (error: unknown) {
      report('ingest', error);
      if (resend) replayOffset -= messages.length;
    }
    await sleep(random() * 150);
  }
}

async function jobLoop(job: Job): Promise<void> {
  const connection = await database.connect();
  for (;;) {
    // A threshold that moves between runs makes flags open, update and expire.
    const config = configWith({ RETOUR_RISK_REVIEW_THRESHOLD: (0.05 + random() * 0.25).toFixed(3), RETOUR_RISK_HIGH_THRESHOLD: '0.6' });
    const fullRebuild = random() < 0.2;
    say(`start ${job.name}${fullRebuild ? ' full' : ''}`);
    try {
      // Now and then a run as of the past (`retour jobs run --now`): refund exceptions resolve and
      // reopen, alerts detected later are withdrawn — many more updates than steady runs make.
      const back = random() < 0.3 ? random() * 90 * 86_400_000 : 0;
      const now = new Date((await simulatedNow(connection)).getTime() - back);
      await runJob(job, { connection, config, logger: silent, now, fullRebuild, signal: new AbortController().signal, publish: async () => undefined });
      say(`end ${job.name}`);
    } catch (error: unknown) {
      report(job.name, error);
    }
    await sleep(random() * 400);
  }
}

async function apiLoop(): Promise<void> {
  const connection = await database.connect();
  const serial = createSerialQueue();
  let clock = await simulatedNow(connection);
  // The API's clock only moves forward; decisions follow the simulated time.
  const now = (): Date => new Date((clock = new Date(clock.getTime() + 1000)).getTime());
  const outbox = createDecisionOutbox({ connection, producer: undefined, serial, logger: silent, now });
  const context = { connection, serial, outbox, topic: baseConfig.topicDecisions, now };
  const reviewer = await createApiKey(connection, { role: 'risk', name: 'stress-reviewer', now: now() });
  const principal = { keyId: reviewer.keyId, name: reviewer.name, role: reviewer.role };
  let requests = 0;
  for (;;) {
    await sleep(100 + random() * 300);
    requests++;
    try {
      const simulated = await simulatedNow(connection);
      if (simulated > clock) clock = simulated;
      const open = await listFlags(connection, { status: 'open' });
      if (open.length > 0) {
        const flag = pick(open);
        say('start decision');
        await decideFlag(context, {
          flagId: flag.flagId,
          body: { verdict: pick(['fraud', 'abuse', 'legitimate'] as const) },
          principal,
          requestId: `stress-${requests}`,
          idempotencyKey: random() < 0.5 ? `stress-${flag.flagId}` : undefined,
        });
        say('end decision');
      }
      if (random() < 0.5) {
        const pending = await readUnpublishedOutbox(connection, 50);
        // What the outbox does once Kafka acknowledged them.
        await markOutboxPublished(connection, pending.map((row) => row.eventId), now());
      }
      if (random() < 0.1) {
        say('start keys');
        const created = await createApiKey(connection, { role: pick(['risk', 'ops', 'product'] as const), name: `stress-${requests}`, now: now() });
        if (random() < 0.7) await revokeApiKey(connection, { keyId: created.keyId, now: now() });
        say('end keys');
      }
    } catch (error: unknown) {
      // Another request or the risk job closed the flag first: the API answers 409 too.
      if (error instanceof RetourError && error.code === 'RETOUR_CONFLICT') continue;
      report('api', error);
    }
  }
}

async function modelLoop(): Promise<void> {
  const connection = await database.connect();
  for (;;) {
    await sleep(random() * 1000);
    say('start model');
    try {
      // Small enough (≈ 5 s) to finish between kills now and then: model_registry gets rows and updates.
      const forest = { ...DEFAULT_RISK_FOREST, treeCount: 8, maxDepth: 6 };
      // Any positive will do: this stresses model_registry's writes, not the model's quality.
      const labelPolicy = { minTrainingPositives: 1, minValidationPositives: 1 };
      await trainRiskModel(connection, { now: await simulatedNow(connection), promote: random() < 0.7, stepDays: 56, maxTrainingRows: 3000, forest, labelPolicy });
      say('end model');
    } catch (error: unknown) {
      report('model', error);
    }
  }
}

say('ready');
await Promise.all([ingestLoop(), ...JOBS.map((job) => jobLoop(job)), apiLoop(), modelLoop()]);
