/**
 * `npm run eval -- quality [--seed N] [--days D] [--customers C] [--products P] [--episodes E] [--step-days S] [--online-retail FILE]`
 *
 * Simulates a marketplace with injected defect episodes, imports it through the ingest path into an
 * in-memory DuckDB, runs the quality job (incrementally) as of every S-th day, and scores the alerts
 * against the simulator's truth: share of episodes detected, within 2 weeks of their start, median
 * delay, and false alarms among products without any injected change (per half-year). Then imports
 * the real Online Retail sample through the CSV backfill and reports what the job says there.
 * Reported numbers must come from seeds not used while developing (development used seed 101).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { configWith } from '../../config/load-config.ts';
import { readCsvImport } from '../../ingest/csv/read-csv-import.ts';
import { createEventBatchWriter, type RawMessage } from '../../ingest/ingest-batch.ts';
import { importMessages } from '../../ingest/import-messages.ts';
import { qualityJob } from '../../jobs/quality/quality-job.ts';
import { readAllQualityAlerts, type QualityAlertRow } from '../../store/quality/quality-alerts-store.ts';
import { openQualityDatabase } from './open-quality-database.ts';
import type { openDatabase } from '../../store/open-database.ts';
import { simulateMarketplace } from '../../simulator/simulate-marketplace.ts';

const DAY_MS = 86_400_000;
const ROOT = join(import.meta.dirname, '..', '..');

export async function runQualityEval(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: 'string', default: '9001' },
      days: { type: 'string', default: '270' },
      customers: { type: 'string', default: '60000' },
      products: { type: 'string', default: '400' },
      episodes: { type: 'string', default: '40' },
      'step-days': { type: 'string', default: '1' },
      'online-retail': { type: 'string', default: join(ROOT, '..', 'shared', 'data', 'online-retail', 'online-retail-sample-20k.csv') },
      'skip-online-retail': { type: 'boolean', default: false },
    },
  });
  const seed = Number(values.seed);
  const days = Number(values.days);
  const config = configWith({});
  const simulated = await evaluateOnSimulation({
    seed,
    days,
    customers: Number(values.customers),
    products: Number(values.products),
    episodes: Number(values.episodes),
    stepDays: Number(values['step-days']),
    config,
  });
  const onlineRetail = values['skip-online-retail'] ? undefined : await evaluateOnOnlineRetail(values['online-retail'], config);
  return { ...simulated, ...(onlineRetail === undefined ? {} : { onlineRetail }) };
}

interface SimulationEvalOptions {
  seed: number;
  days: number;
  customers: number;
  products: number;
  episodes: number;
  stepDays: number;
  config: ReturnType<typeof configWith>;
}

async function evaluateOnSimulation(options: SimulationEvalOptions): Promise<Record<string, unknown>> {
  const { config } = options;
  const started = performance.now();
  const simulation = simulateMarketplace({
    seed: options.seed,
    days: options.days,
    customers: options.customers,
    products: options.products,
    defectEpisodes: options.episodes,
  });
  const database = await openQualityDatabase(':memory:');
  try {
    const connection = await database.connect();
    const writer = await createEventBatchWriter(connection);
    let offset = 0;
    function* messages(): Generator<RawMessage> {
      for (const event of simulation.events()) yield { topic: 'import:simulation', partition: 0, offset: offset++, value: JSON.stringify(event) };
    }
    const imported = await importMessages(writer, messages(), { batchSize: config.batchMaxEvents, maxEventBytes: config.maxEventBytes });
    writer.close();
    const truth = simulation.truth();
    const importSeconds = (performance.now() - started) / 1000;
    console.error(`quality eval: simulated and imported ${imported.stored} events in ${importSeconds.toFixed(0)} s`);

    const startMs = Date.parse(truth.startDate);
    const endMs = Date.parse(truth.endDate);
    // The first run that has a full baseline: baseline weeks + the tested week + the detection horizon.
    const firstRunMs = startMs + (config.qualityBaselineWeeks * 7 + 7 + config.qualityDetectionDays + 1) * DAY_MS;
    const jobConnection = await database.connect();
    const runStarted = performance.now();
    let runs = 0;
    for (let now = firstRunMs; now <= endMs; now += options.stepDays * DAY_MS) {
      await qualityJob.run({
        connection: jobConnection,
        config,
        logger: pino({ level: 'silent' }),
        now: new Date(now),
        fullRebuild: false,
        signal: new AbortController().signal,
      });
      runs++;
      if (runs % 20 === 0) console.error(`quality eval: ${runs} runs, as of ${new Date(now).toISOString().slice(0, 10)}`);
    }
    const runSeconds = (performance.now() - runStarted) / 1000;
    const alerts = await readAllQualityAlerts(jobConnection);
    const faultAlerts = alerts.filter((alert) => alert.metric === 'product_fault_rate');
    const lastTestableStart = endMs - (7 + config.qualityDetectionDays + 14) * DAY_MS;
    // Episodes the run schedule could see: starting after the first run's baseline and early enough for 2 weeks of runs.
    const episodes = truth.defectEpisodes.filter((episode) => Date.parse(episode.startDate) >= firstRunMs - (7 + config.qualityDetectionDays) * DAY_MS && Date.parse(episode.startDate) <= lastTestableStart);
    const volume = await weeklyVolume(jobConnection, episodes.map((episode) => ({ productId: episode.productId, start: episode.startDate })));
    const scored = episodes.map((episode) => {
      const start = Date.parse(episode.startDate);
      const end = Date.parse(episode.endDate);
      const hit = faultAlerts.find(
        (alert) => alert.productId === episode.productId && Date.parse(alert.firstDetectedAt) >= start && Date.parse(alert.firstDetectedAt) <= end + (7 + config.qualityDetectionDays + 7) * DAY_MS,
      );
      const delayWeeks = hit === undefined ? undefined : (Date.parse(hit.firstDetectedAt) - start) / (7 * DAY_MS);
      const unitsPerWeek = volume.get(episode.productId) ?? 0;
      return { ...episode, detected: hit !== undefined, delayWeeks, unitsPerWeek, enoughUnits: unitsPerWeek >= config.qualityMinUnits };
    });
    const changed = new Set([...truth.defectEpisodes.map((episode) => episode.productId), ...truth.reasonShifts.map((shift) => shift.productId)]);
    const stableProducts = truth.products.filter((product) => !changed.has(product.productId));
    const falseAlarmProducts = new Set(faultAlerts.filter((alert) => !changed.has(alert.productId)).map((alert) => alert.productId));
    const mixFalseAlarmProducts = new Set(alerts.filter((alert) => alert.metric === 'reason_mix' && !changed.has(alert.productId)).map((alert) => alert.productId));
    const evaluatedDays = (endMs - firstRunMs) / DAY_MS;
    const halfYears = evaluatedDays / 182.5;
    const summarise = (list: typeof scored): Record<string, unknown> => {
      const delays = list.flatMap((episode) => (episode.delayWeeks === undefined ? [] : [episode.delayWeeks])).sort((a, b) => a - b);
      return {
        episodes: list.length,
        detected: list.filter((episode) => episode.detected).length,
        detectionRate: ratio(list.filter((episode) => episode.detected).length, list.length),
        detectedWithin2Weeks: ratio(list.filter((episode) => episode.delayWeeks !== undefined && episode.delayWeeks <= 2).length, list.length),
        medianDelayWeeks: delays.length === 0 ? null : round(median(delays)),
      };
    };
    return {
      simulation: { seed: options.seed, days: options.days, customers: options.customers, products: truth.products.length, events: imported.stored, importSeconds: round(importSeconds) },
      settings: {
        minUnits: config.qualityMinUnits,
        falseDiscoveryRate: config.qualityFalseDiscoveryRate,
        minRatio: config.qualityMinRatio,
        detectionDays: config.qualityDetectionDays,
        baselineWeeks: config.qualityBaselineWeeks,
        runEveryDays: options.stepDays,
      },
      runs,
      secondsPerRun: round(runSeconds / Math.max(1, runs)),
      allEpisodes: summarise(scored),
      episodesWithEnoughUnits: summarise(scored.filter((episode) => episode.enoughUnits)),
      bestSellerEpisodes: summarise(scored.filter((episode) => episode.bestSeller)),
      falseAlarms: {
        stableProducts: stableProducts.length,
        productsWithFalseFaultAlert: falseAlarmProducts.size,
        falseAlarmRatePerHalfYear: round(falseAlarmProducts.size / Math.max(1, stableProducts.length) / halfYears),
        productsWithFalseReasonMixAlert: mixFalseAlarmProducts.size,
        evaluatedDays,
      },
      missed: scored
        .filter((episode) => !episode.detected || (episode.delayWeeks ?? 99) > 2)
        .map((episode) => ({ productId: episode.productId, start: episode.startDate, factor: episode.factor, unitsPerWeek: round(episode.unitsPerWeek), delayWeeks: episode.delayWeeks === undefined ? null : round(episode.delayWeeks) })),
    };
  } finally {
    database.close();
  }
}

/** Delivered units per week of each product over the 8 weeks before its episode (how testable it was). */
async function weeklyVolume(connection: Awaited<ReturnType<Awaited<ReturnType<typeof openDatabase>>['connect']>>, episodes: Array<{ productId: string; start: string }>): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  for (const episode of episodes) {
    const reader = await connection.runAndReadAll(
      `SELECT coalesce(sum(delivered_units), 0) / 8.0 FROM quality_cohort_base
       WHERE product_id = $productId AND day >= $start::DATE - 56 AND day < $start::DATE`,
      { productId: episode.productId, start: episode.start.slice(0, 10) },
    );
    result.set(episode.productId, Number(reader.getRows()[0]?.[0] ?? 0));
  }
  return result;
}

export async function evaluateOnOnlineRetail(file: string, config: ReturnType<typeof configWith>): Promise<Record<string, unknown>> {
  const database = await openQualityDatabase(':memory:');
  try {
    const connection = await database.connect();
    const imported = readCsvImport({
      csvText: readFileSync(file, 'utf8'),
      mappingText: readFileSync(join(ROOT, 'examples', 'online-retail.mapping.json'), 'utf8'),
      topic: 'import:online-retail',
    });
    const writer = await createEventBatchWriter(connection);
    const summary = await importMessages(writer, imported.messages, { batchSize: config.batchMaxEvents, maxEventBytes: config.maxEventBytes });
    writer.close();
    const range = await connection.runAndReadAll('SELECT epoch_ms(min(delivered_at)), epoch_ms(max(delivered_at)), count(*) FROM deliveries');
    const [minMs, maxMs, deliveries] = range.getRows()[0]!.map(Number) as [number, number, number];
    const facts = await connection.runAndReadAll('SELECT (SELECT count(*) FROM order_lines), (SELECT count(*) FROM return_lines), (SELECT count(DISTINCT product_id) FROM order_lines)');
    const [orderLines, returnLines, products] = facts.getRows()[0]!.map(Number) as [number, number, number];
    let runs = 0;
    let testedMax = 0;
    if (deliveries === 0) {
      // Weekly runs over the order period anyway: the job must say nothing rather than invent rates.
      const orders = await connection.runAndReadAll('SELECT epoch_ms(min(placed_at)), epoch_ms(max(placed_at)) FROM order_lines');
      const [from, to] = orders.getRows()[0]!.map(Number) as [number, number];
      for (let now = from + 70 * DAY_MS; now <= to; now += 7 * DAY_MS) {
        await qualityJob.run({ connection, config, logger: pino({ level: 'silent' }), now: new Date(now), fullRebuild: false, signal: new AbortController().signal });
        runs++;
      }
    }
    const firstRun = Math.floor(minMs / DAY_MS) * DAY_MS + (config.qualityBaselineWeeks * 7 + 7 + config.qualityDetectionDays + 1) * DAY_MS;
    for (let now = firstRun; now <= maxMs + (config.qualityDetectionDays + 8) * DAY_MS; now += DAY_MS) {
      const result = await qualityJob.run({ connection, config, logger: pino({ level: 'silent' }), now: new Date(now), fullRebuild: false, signal: new AbortController().signal });
      const tested = (result.details?.['testedProducts'] as { productFaultRate: number } | undefined)?.productFaultRate ?? 0;
      testedMax = Math.max(testedMax, tested);
      runs++;
    }
    const alerts: QualityAlertRow[] = await readAllQualityAlerts(connection);
    const cohorts = await connection.runAndReadAll("SELECT count(*) FROM quality_weekly WHERE scope = 'product'");
    const busiest = await connection.runAndReadAll(
      `SELECT max(delivered_units) FROM quality_weekly WHERE scope = 'product'`,
    );
    return {
      stored: summary.stored,
      quarantined: summary.quarantinedTotal,
      orderLines,
      returnLines,
      products,
      deliveries,
      runs,
      mostProductsTestedInARun: testedMax,
      productWeekCohorts: Number(cohorts.getRows()[0]?.[0] ?? 0),
      busiestProductWeekUnits: Number(busiest.getRows()[0]?.[0] ?? 0),
      ...(deliveries === 0
        ? { note: 'the export has no deliveries and its credit notes name no original invoice, so no unit has a delivery cohort: nothing is rated or tested' }
        : {}),
      alerts: alerts.length,
      alertsByMetric: Object.fromEntries(['product_fault_rate', 'reason_mix'].map((metric) => [metric, alerts.filter((alert) => alert.metric === metric).length])),
    };
  } finally {
    database.close();
  }
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : round(part / whole);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
