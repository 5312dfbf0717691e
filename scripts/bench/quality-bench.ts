/**
 * `npm run bench -- quality [--order-lines N] [--products P] [--days D] [--memory-limit 6GB]`
 *
 * Generates ≥ 10M return lines with their orders, deliveries and inspections in a DuckDB file, then
 * times, in the same run and on the same data: (1) the bare DuckDB aggregation that counts delivered
 * and returned units per product × delivery week, and (2) the quality job's full rebuild (day-level
 * cohort base, weekly and daily tables for product, category and seller with Wilson intervals and
 * reason mixes, maturity, and the alert pass). Goals: rebuild ≤ 30 s, rebuild / bare ≤ 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

    const bareStarted = performance.now();
    const bareCohorts = await countDeliveryCohorts(connection, { now, windowDays: config.returnWindowDays });
    const bareSeconds = (performance.now() - bareStarted) / 1000;
    console.error(`bare aggregation: ${bareCohorts} product-week cohorts in ${bareSeconds.toFixed(2)} s`);

    const rebuildStarted = performance.now();
    const result = await qualityJob.run({ connection, config, logger: pino({ level: 'silent' }), now, fullRebuild: true, signal: new AbortController().signal });
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    console.error(`quality full rebuild: ${result.rowsWritten} rows in ${rebuildSeconds.toFixed(2)} s`);
    const weekly = await connection.runAndReadAll("SELECT count(*) FROM quality_weekly WHERE scope = 'product'");
    return {
      orderLines: facts.orderLines,
      returnLines: facts.returnLines,
      productWeekCohorts: Number(weekly.getRows()[0]?.[0] ?? 0),
      bareCohorts,
      bareSeconds: round(bareSeconds),
      rebuildSeconds: round(rebuildSeconds),
      ratio: round(rebuildSeconds / bareSeconds),
      rowsWritten: result.rowsWritten,
      goals: { rebuildSeconds: 30, ratio: 2 },
    };
  } finally {
    database.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
