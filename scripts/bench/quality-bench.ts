/**
 * `npm run bench -- quality [--order-lines N] [--products P] [--days D] [--memory-limit 6GB]`
 *
 * Generates ≥ 10M return lines with their orders, deliveries and inspections in a DuckDB file, then
 * times, in the same run and on the same data: (1) the bare DuckDB aggregation that counts delivered
 * and returned units per product × delivery week, and (2) the quality job's full rebuild (day-level
 * cohort base, weekly and daily tables for product, category and seller with Wilson intervals and
 * reason mixes, maturity, and the alert pass). Goals: rebuild ≤ 30 s, rebuild / bare ≤ 2.
 *
 * Both are reported as wall time and as the process's CPU time (DuckDB's threads included): on a
 * shared machine the wall time mostly measures the other processes, the CPU time much less so. The
 * 1-minute load average before and after each step rides along.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { configWith } from '../../config/load-config.ts';
import { qualityJob } from '../../jobs/quality/quality-job.ts';
import { countDeliveryCohorts } from '../../store/quality/count-delivery-cohorts.ts';
import { generateQualityBenchFacts } from '../../store/quality/generate-quality-bench-facts.ts';
import { openQualityDatabase } from '../eval/open-quality-database.ts';

export async function runQualityBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      'order-lines': { type: 'string', default: '30000000' },
      products: { type: 'string', default: '20000' },
      days: { type: 'string', default: '365' },
      // DuckDB's default (80% of RAM) is too much on a machine shared with other work; it spills beyond this
      'memory-limit': { type: 'string', default: '6GB' },
    },
  });
  const directory = mkdtempSync(join(tmpdir(), 'retour-quality-bench-'));
  const database = await openQualityDatabase(join(directory, 'bench.duckdb'), { memory_limit: values['memory-limit'] });
  try {
    const connection = await database.connect();
    const generateStarted = performance.now();
    const facts = await generateQualityBenchFacts(connection, {
      orderLines: Number(values['order-lines']),
      products: Number(values.products),
      days: Number(values.days),
      startDate: '2025-01-01T00:00:00Z',
    });
    await connection.run('CHECKPOINT');
    const generateSeconds = (performance.now() - generateStarted) / 1000;
    console.error(`generated ${facts.orderLines} order lines and ${facts.returnLines} return lines in ${generateSeconds.toFixed(1)} s`);
    const config = configWith({});
    const now = new Date(Date.parse('2025-01-01T00:00:00Z') + (Number(values.days) + 45) * 86_400_000);

    const bare = await timed(() => countDeliveryCohorts(connection, { now, windowDays: config.returnWindowDays }));
    const bareCohorts = bare.result;
    console.error(`bare aggregation: ${bareCohorts} product-week cohorts in ${bare.seconds.toFixed(2)} s (cpu ${bare.cpuSeconds.toFixed(2)} s, load ${bare.load.join(' → ')})`);

    const rebuild = await timed(() =>
      qualityJob.run({ connection, config, logger: pino({ level: 'silent' }), now, fullRebuild: true, signal: new AbortController().signal }),
    );
    const result = rebuild.result;
    console.error(`quality full rebuild: ${result.rowsWritten} rows in ${rebuild.seconds.toFixed(2)} s (cpu ${rebuild.cpuSeconds.toFixed(2)} s, load ${rebuild.load.join(' → ')})`);
    const weekly = await connection.runAndReadAll("SELECT count(*) FROM quality_weekly WHERE scope = 'product'");
    return {
      orderLines: facts.orderLines,
      returnLines: facts.returnLines,
      productWeekCohorts: Number(weekly.getRows()[0]?.[0] ?? 0),
      bareCohorts,
      bareSeconds: round(bare.seconds),
      rebuildSeconds: round(rebuild.seconds),
      ratio: round(rebuild.seconds / bare.seconds),
      bareCpuSeconds: round(bare.cpuSeconds),
      rebuildCpuSeconds: round(rebuild.cpuSeconds),
      cpuRatio: round(rebuild.cpuSeconds / bare.cpuSeconds),
      loadAverage: { bare: bare.load, rebuild: rebuild.load },
      threads: Number((await connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0]),
      rowsWritten: result.rowsWritten,
      goals: { rebuildSeconds: 30, ratio: 2 },
    };
  } finally {
    database.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Runs `step`, with its wall and CPU seconds and the 1-minute load average before and after. */
async function timed<T>(step: () => Promise<T>): Promise<{ result: T; seconds: number; cpuSeconds: number; load: [number, number] }> {
  const loadBefore = round(loadavg()[0] ?? 0);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await step();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { result, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, load: [loadBefore, round(loadavg()[0] ?? 0)] };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
