/**
 * The server process of `npm run bench -- api-reads` (forked by api-reads-bench.ts, IPC).
 *
 * It composes the API as `retour serve` does on an existing database: one DuckDB file, buildApp
 * with the serve logger and process metrics, the risk snapshots loaded from the database
 * (loadRiskSnapshots, as serve does after each risk run). No ingest, no job scheduler: the read
 * routes are measured alone. Next to it, a bare fastify instance answers a constant: the baseline.
 * Per phase (the parent says when one starts and ends) it reports the process CPU time.
 *
 * argv: JSON of ReadsServerOptions.
 */
import Fastify from 'fastify';
import { buildApp } from '../../api/build-app.ts';
import { createRiskSnapshotHolder } from '../../api/risk-snapshot-holder.ts';
import { createLogger } from '../../cli/create-logger.ts';
import { configWith } from '../../config/load-config.ts';
import { createRetourMetrics } from '../../observability/metrics-registry.ts';
import { openDatabase } from '../../store/open-database.ts';
import { loadRiskSnapshots } from '../../store/risk/load-risk-snapshots.ts';
import { mainThreadCpu, mainThreadCpuSince } from './main-thread-cpu.ts';

export interface ReadsServerOptions {
  database: string;
  logLevel: string;
}

export type ReadsServerCommand = { type: 'phase-start' } | { type: 'phase-end' } | { type: 'stop' };

export type ReadsServerMessage =
  | { type: 'ready'; apiBase: string; bareBase: string; key: string }
  /** CPU of the whole process (all threads: JavaScript, DuckDB, libuv) and of the main thread alone, in ms. */
  | { type: 'phase'; cpuMs: number; mainThreadCpuMs: number | null }
  | { type: 'stopped' };

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ReadsServerOptions;
  const send = (message: ReadsServerMessage): void => void process.send?.(message);
  const config = configWith({
    RETOUR_DATABASE: options.database,
    RETOUR_LOG_LEVEL: options.logLevel,
    // The rate limit stays on (its bookkeeping is part of a route's cost) but never triggers.
    RETOUR_RATE_LIMIT_PER_MINUTE: '100000000',
  });
  const logger = createLogger(config.logLevel);
  const database = await openDatabase({ path: config.database });
  const maintenance = await database.connect();
  const app = await buildApp({
    logger,
    connection: await database.connect(),
    schemaVersion: database.schemaVersion,
    ingestState: () => ({ state: 'disabled', ready: true }),
    config,
    metrics: createRetourMetrics(),
    riskSnapshots: createRiskSnapshotHolder(await loadRiskSnapshots(maintenance)),
  });
  const bare = Fastify();
  bare.get('/', async () => ({ status: 'ok' }));
  // A risk key reads every route measured here (flags, customer risk, quality, jobs).
  const { key } = await app.retour.keyring.create({ role: 'risk', name: 'api-reads bench' });
  const apiBase = await app.listen({ host: '127.0.0.1', port: 0 });
  const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });

  let phase = { cpu: process.cpuUsage(), main: mainThreadCpu() };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await bare.close();
    database.close();
    if (process.connected) {
      send({ type: 'stopped' });
      process.disconnect();
    }
  };
  process.on('message', (command: ReadsServerCommand) => {
    if (command.type === 'phase-start') {
      phase = { cpu: process.cpuUsage(), main: mainThreadCpu() };
    } else if (command.type === 'phase-end') {
      const cpu = process.cpuUsage(phase.cpu);
      const main = mainThreadCpuSince(phase.main, mainThreadCpu());
      send({ type: 'phase', cpuMs: (cpu.user + cpu.system) / 1000, mainThreadCpuMs: main === undefined ? null : (main.userSeconds + main.kernelSeconds) * 1000 });
    } else {
      void stop();
    }
  });
  process.once('disconnect', () => void stop());
  send({ type: 'ready', apiBase, bareBase, key });
}

await main();
