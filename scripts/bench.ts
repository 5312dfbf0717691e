/** `npm run bench -- NAME`: benchmarks, each against a baseline measured in the same run. */
import { runNamedSuite, type SuiteEntry } from './run-named-suite.ts';

const BENCHMARKS: Record<string, SuiteEntry> = {
  ingest: { module: 'bench/ingest-bench.ts', exportName: 'runIngestBench', summary: 'Kafka → DuckDB end to end vs a bare kafkajs consume (≥ 1M events)' },
  'ingest-batch': { module: 'bench/ingest-batch-bench.ts', exportName: 'runIngestBatchBench', summary: 'the batch writer alone vs DuckDB read_ndjson of the same lines' },
  quality: { module: 'bench/quality-bench.ts', exportName: 'runQualityBench', summary: 'quality full rebuild on ≥ 10M return lines vs the bare cohort aggregation' },
  risk: { module: 'bench/risk-bench.ts', exportName: 'runRiskBench', summary: 'features and scores for 1M customers, training time vs rows' },
  forest: { module: 'bench/forest-bench.ts', exportName: 'runForestBench', summary: 'histogram forest training vs ml-random-forest' },
  api: { module: 'bench/api-bench.ts', exportName: 'runApiBench', summary: 'risk endpoints under autocannon vs a bare fastify route' },
  'api-reads': { module: 'bench/api-reads-bench.ts', exportName: 'runApiReadsBench', summary: 'read routes (flags, quality, alerts, jobs, Arrow) on a 100k-customer year, sequential p50/p99 vs a bare route' },
};

process.exitCode = await runNamedSuite('bench', BENCHMARKS, process.argv.slice(2));
