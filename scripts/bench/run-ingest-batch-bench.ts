// Entry point: node bin/run-ts.mjs scripts/bench/run-ingest-batch-bench.ts [--events N] [--batch N]
import { parseArgs } from 'node:util';
import { runIngestBatchBench } from './ingest-batch-bench.ts';

const { values } = parseArgs({ options: { events: { type: 'string' }, batch: { type: 'string' } } });
const result = await runIngestBatchBench({
  events: values.events === undefined ? 200_000 : Number(values.events),
  batchSize: values.batch === undefined ? 20_000 : Number(values.batch),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
