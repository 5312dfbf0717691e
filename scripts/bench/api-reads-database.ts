/**
 * The marketplace-sized database of `npm run bench -- api-reads`, built once and cached.
 *
 * The simulator's marketplace (default 100k customers × 365 days, ≈ 2.4M events, 600 products with 60 defect episodes) goes through the
 * ingest path (importMessages, as `retour import` does) into a DuckDB file; then the jobs run as a
 * scheduler would have run them: quality weekly over the last weeks (so alerts have a history:
 * new, ongoing, resolved), ops and risk as of the end (risk writes the flags). The file is kept under
 * .cache/ (gitignored) in a directory named by the parameters, so a second run with the same ones
 * opens it at once; a build that did not finish leaves no `ready` marker and is built again.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { configWith, type Config } from '../../config/load-config.ts';
import { createEventBatchWriter, type RawMessage } from '../../ingest/ingest-batch.ts';
import { importMessages } from '../../ingest/import-messages.ts';
import { opsJob } from '../../jobs/ops/ops-job.ts';
import { qualityJob } from '../../jobs/quality/quality-job.ts';
import { replayJob } from '../../jobs/replay-job.ts';
import { riskJob } from '../../jobs/risk/risk-job.ts';
import { runJob } from '../../jobs/run-job.ts';
import { simulateMarketplace } from '../../simulator/simulate-marketplace.ts';
import { openDatabase } from '../../store/open-database.ts';

const DAY_MS = 86_400_000;
const ROOT = join(import.meta.dirname, '..', '..');

export interface ReadsDatabaseParameters {
  seed: number;
  customers: number;
  days: number;
  /** Catalogue size: fewer products than the simulator's default (customers / 50) give each one the weekly volume the quality job tests, so there are alerts to read. */
  products: number;
  /** Defect episodes the simulator places over the year. */
  defectEpisodes: number;
  /** Weeks of weekly quality runs before the end (alert history). */
  qualityWeeks: number;
}

export interface ReadsDatabase {
  path: string;
  /** The simulation's end: the jobs ran as of it. */
  asOf: Date;
  /** Seconds spent building (0 when the cached file was used). */
  buildSeconds: number;
}

/** The cached file for these parameters, built first when it is not there yet. */
export async function prepareReadsDatabase(parameters: ReadsDatabaseParameters, log: (line: string) => void): Promise<ReadsDatabase> {
  const directory = join(ROOT, '.cache', 'bench-api-reads', `seed${parameters.seed}-c${parameters.customers}-d${parameters.days}-p${parameters.products}-e${parameters.defectEpisodes}-q${parameters.qualityWeeks}`);
  const path = join(directory, 'retour.duckdb');
  const ready = join(directory, 'ready.json');
  const asOf = new Date(Date.UTC(2025, 0, 1) + parameters.days * DAY_MS);
  if (existsSync(ready)) {
    log(`using the cached database ${path}`);
    return { path, asOf, buildSeconds: 0 };
  }
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const started = performance.now();
  const config = configWith({ RETOUR_DATABASE: path });
  const database = await openDatabase({ path });
  try {
    const connection = await database.connect();
    const simulation = simulateMarketplace({ seed: parameters.seed, days: parameters.days, customers: parameters.customers, products: parameters.products, defectEpisodes: parameters.defectEpisodes });
    const writer = await createEventBatchWriter(await database.connect());
    let offset = 0;
    function* messages(): Generator<RawMessage> {
      for (const event of simulation.events()) {
        yield { topic: 'import:simulation', partition: 0, offset: offset++, value: JSON.stringify(event) };
        if (offset % 500_000 === 0) log(`  imported ${offset.toLocaleString('en')} events…`);
      }
    }
    const imported = await importMessages(writer, messages(), { batchSize: config.batchMaxEvents, maxEventBytes: config.maxEventBytes });
    writer.close();
    const endMs = Date.parse(simulation.truth().endDate);
    if (endMs !== asOf.getTime()) throw new Error(`the simulation ends at ${simulation.truth().endDate}, not ${asOf.toISOString()}`);
    log(`  ${imported.stored.toLocaleString('en')} events stored in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    await runJobs(connection, config, asOf, parameters.qualityWeeks, log);
    await connection.run('CHECKPOINT');
  } finally {
    database.close();
  }
  const buildSeconds = Math.round((performance.now() - started) / 1000);
  writeFileSync(ready, `${JSON.stringify({ ...parameters, asOf: asOf.toISOString(), buildSeconds })}\n`);
  log(`  database built in ${buildSeconds} s`);
  return { path, asOf, buildSeconds };
}

async function runJobs(connection: Awaited<ReturnType<Awaited<ReturnType<typeof openDatabase>>['connect']>>, config: Config, asOf: Date, qualityWeeks: number, log: (line: string) => void): Promise<void> {
  const logger = pino({ level: 'silent' });
  const signal = new AbortController().signal;
  const context = (job: string, now: Date) => ({ connection, config, logger: logger.child({ job }), now, fullRebuild: false, signal });
  const timed = async (name: string, body: () => Promise<unknown>): Promise<void> => {
    const t = performance.now();
    await body();
    log(`  ${name} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  };
  await timed(`quality job, weekly for ${qualityWeeks} weeks`, () =>
    replayJob(qualityJob, { from: new Date(asOf.getTime() - (qualityWeeks - 1) * 7 * DAY_MS), to: asOf, stepDays: 7, contextFor: (now) => context('quality', now) }),
  );
  await timed('ops job', () => runJob(opsJob, context('ops', asOf)));
  await timed('risk job', () => runJob(riskJob, context('risk', asOf)));
}
