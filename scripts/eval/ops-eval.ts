/**
 * `npm run eval -- ops [--seed N] [--days D] [--customers C] [--rate R|default] [--step-days S] [--shuffle-seconds W] [--duplicate-rate P]`
 *
 * Simulates a marketplace with operations anomalies injected at rate R per kind (ground truth in
 * truth.anomalies), with events out of order by up to W seconds and re-sent duplicates, and feeds it
 * through the ingest path into an in-memory DuckDB in time slices: after each S days of events the
 * ops job runs as of the slice's end, so exceptions are detected, resolved and reclassified as the
 * stream unfolds (a missing refund that later comes late, a receipt after the grace period, …).
 * At the end of the stream, the open exceptions are compared with the truth per kind: recall, precision.
 * Reported numbers must come from seeds not used while developing (development used 11 and 12).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { configWith } from '../../config/load-config.ts';
import { createEventBatchWriter, type RawMessage } from '../../ingest/ingest-batch.ts';
import { importMessages } from '../../ingest/import-messages.ts';
import { opsJob } from '../../jobs/ops/ops-job.ts';
import { listMigrations, migrate } from '../../store/migrate.ts';
import { openDatabase } from '../../store/open-database.ts';
import { ANOMALY_KINDS } from '../../simulator/simulation-truth.ts';
import { simulateMarketplace } from '../../simulator/simulate-marketplace.ts';
import { suiteNumber } from '../run-named-suite.ts';

const DAY_MS = 86_400_000;

export async function runOpsEval(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: 'string', default: '4242' },
      days: { type: 'string', default: '150' },
      customers: { type: 'string', default: '12000' },
      rate: { type: 'string', default: '0.01' },
      'step-days': { type: 'string', default: '7' },
      'shuffle-seconds': { type: 'string', default: '3600' },
      'duplicate-rate': { type: 'string', default: '0.01' },
    },
  });
  const seed = suiteNumber('seed', values.seed, { min: 0, integer: true });
  const days = suiteNumber('days', values.days, { min: 1, max: 3650, integer: true });
  // 'default' keeps the simulator's realistic rates (DEFAULT_ANOMALY_RATES, a few per thousand returns);
  // a rate applies to each of the six kinds, which add up to at most 1 (one anomaly per return).
  const rate = values.rate === 'default' ? undefined : suiteNumber('rate', values.rate, { min: 0, max: 1 / 6 });
  const stepDays = suiteNumber('step-days', values['step-days'], { min: 1, max: 3650, integer: true });
  // The policy (RETOUR_RETURN_WINDOW_*, RETOUR_REFUND_SLA_DAYS, RETOUR_OPS_*) from the environment
  // applies to the simulated marketplace and the job alike, so another policy can be evaluated.
  const config = configWith({}, process.env);
  const started = performance.now();
  const simulation = simulateMarketplace({
    seed,
    days,
    customers: suiteNumber('customers', values.customers, { min: 1, max: 10_000_000, integer: true }),
    returnWindowDays: config.returnWindowDays,
    returnWindowByCategory: config.returnWindowByCategory,
    refundSlaDays: config.refundSlaDays,
    ...(rate === undefined ? {} : { anomalies: { overRefund: rate, duplicateRefund: rate, missingRefund: rate, lateRefund: rate, refundWithoutReceipt: rate, outsideWindow: rate } }),
    shuffleWindowSeconds: suiteNumber('shuffle-seconds', values['shuffle-seconds'], { min: 0, integer: true }),
    duplicateRate: suiteNumber('duplicate-rate', values['duplicate-rate'], { min: 0, max: 1 }),
  });

  const database = await openDatabase({ path: ':memory:', migrate: false });
  try {
    const connection = await database.connect();
    // 004 holds risk_flags, which ingest updates when a batch stores review decisions (risk.decision).
    await migrate(connection, listMigrations().filter((migration) => [1, 4, 6, 13].includes(migration.version)));
    const writer = await createEventBatchWriter(await database.connect());
    const run = (now: number) =>
      opsJob.run({ connection, config, logger: pino({ level: 'silent' }), now: new Date(now), fullRebuild: false, signal: new AbortController().signal });

    // Slices by event time: everything up to a checkpoint is ingested before the job runs as of it.
    let offset = 0;
    let pending: RawMessage[] = [];
    let nextCheckpoint = Number.NaN;
    let runs = 0;
    let quarantined = 0;
    let jobSeconds = 0;
    const flush = async () => {
      const summary = await importMessages(writer, pending, { batchSize: config.batchMaxEvents, maxEventBytes: config.maxEventBytes });
      quarantined += summary.quarantinedTotal;
      pending = [];
    };
    const runTimed = async (now: number) => {
      const t = performance.now();
      await run(now);
      jobSeconds += (performance.now() - t) / 1000;
      runs++;
    };
    for (const event of simulation.events()) {
      const timeMs = Date.parse(event.time);
      if (Number.isNaN(nextCheckpoint)) nextCheckpoint = Math.floor(timeMs / DAY_MS) * DAY_MS + stepDays * DAY_MS;
      while (timeMs >= nextCheckpoint) {
        await flush();
        await runTimed(nextCheckpoint);
        nextCheckpoint += stepDays * DAY_MS;
      }
      pending.push({ topic: 'import:simulation', partition: 0, offset: offset++, value: JSON.stringify(event) });
    }
    await flush();
    writer.close();
    const truth = simulation.truth();
    await runTimed(Date.parse(truth.endDate));

    const reader = await connection.runAndReadAll(`SELECT return_id, kind, status, coalesce(resolution, '') FROM refund_exceptions`);
    const open = new Set<string>();
    const resolutions: Record<string, number> = {};
    for (const [returnId, kind, status, resolution] of reader.getRows()) {
      if (status === 'open') open.add(`${String(returnId)}|${String(kind)}`);
      else resolutions[`${String(kind)}:${String(resolution)}`] = (resolutions[`${String(kind)}:${String(resolution)}`] ?? 0) + 1;
    }
    const expected = new Set(truth.anomalies.map((anomaly) => `${anomaly.returnId}|${anomaly.kind}`));
    const perKind: Record<string, unknown> = {};
    const examples: Record<string, { missed: string[]; falseAlarms: string[] }> = {};
    let allPass = true;
    for (const kind of ANOMALY_KINDS) {
      const truthKeys = [...expected].filter((key) => key.endsWith(`|${kind}`));
      const foundKeys = [...open].filter((key) => key.endsWith(`|${kind}`));
      const hits = truthKeys.filter((key) => open.has(key)).length;
      const recall = truthKeys.length === 0 ? null : hits / truthKeys.length;
      const precision = foundKeys.length === 0 ? null : hits / foundKeys.length;
      if (recall === null || precision === null || recall < 0.95 || precision < 0.95) allPass = false;
      perKind[kind] = { truth: truthKeys.length, found: foundKeys.length, hits, recall: round(recall), precision: round(precision) };
      examples[kind] = {
        missed: truthKeys.filter((key) => !open.has(key)).slice(0, 5),
        falseAlarms: foundKeys.filter((key) => !expected.has(key)).slice(0, 5),
      };
    }
    const allTruth = expected.size;
    const allHits = [...expected].filter((key) => open.has(key)).length;
    console.log(`ops eval: seed ${seed}, ${days} days, ${values.customers} customers, anomaly rate ${rate ?? 'default'} per kind, ${runs} job runs every ${stepDays} days`);
    console.log('kind                     truth  found   hits  recall  precision');
    for (const kind of ANOMALY_KINDS) {
      const row = perKind[kind] as { truth: number; found: number; hits: number; recall: number | null; precision: number | null };
      console.log(`${kind.padEnd(24)} ${String(row.truth).padStart(5)} ${String(row.found).padStart(6)} ${String(row.hits).padStart(6)}  ${fmt(row.recall)}  ${fmt(row.precision)}`);
    }
    return {
      simulation: { seed, days, customers: Number(values.customers), anomalyRate: rate ?? 'default', events: truth.summary.events, returns: truth.summary.returns, quarantined },
      runs,
      secondsPerRun: round(jobSeconds / Math.max(1, runs)),
      totalSeconds: round((performance.now() - started) / 1000),
      perKind,
      // Like each kind's: no truth (or nothing found) leaves recall (or precision) undefined, not 0.
      overall: { truth: allTruth, found: open.size, recall: allTruth === 0 ? null : round(allHits / allTruth), precision: open.size === 0 ? null : round(allHits / open.size) },
      goalMet: allPass,
      resolvedDuringStream: resolutions,
      examples,
    };
  } finally {
    database.close();
  }
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10_000) / 10_000;
}

function fmt(value: number | null): string {
  return value === null ? '     -' : value.toFixed(4);
}
