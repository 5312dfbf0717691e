/**
 * Micro-benchmark of the ingest batch path: ingestBatch over batches of generated marketplace
 * events into a DuckDB FILE, against baselines measured in the same run on the same lines —
 * a bare JSON.parse loop, decodeBatch alone (parse + validate), and DuckDB's own read_ndjson.
 *
 * Run: node bin/run-ts.mjs scripts/bench/run-ingest-batch-bench.ts [--events 200000] [--batch 20000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../store/open-database.ts';
import { createEventBatchWriter, decodeBatch, ingestBatch, writeDecodedBatch, type RawMessage } from '../../ingest/ingest-batch.ts';
import { generateBenchEvents } from './generate-bench-events.ts';

export interface IngestBatchBenchArgs {
  /** Events to generate (default 200 000). */
  events?: number;
  /** Messages per ingestBatch call (default 20 000). */
  batchSize?: number;
  seed?: number;
  /** Log progress lines through this function (default: none). */
  log?: (line: string) => void;
}

const round = (value: number): number => Math.round(value);

function rate(count: number, milliseconds: number): number {
  return round(count / (milliseconds / 1000));
}

async function timed<T>(work: () => Promise<T> | T): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await work();
  return { result, ms: performance.now() - start };
}

export async function runIngestBatchBench(args: IngestBatchBenchArgs = {}): Promise<Record<string, unknown>> {
  const eventCount = args.events ?? 200_000;
  const batchSize = args.batchSize ?? 20_000;
  const log = args.log ?? (() => undefined);
  const lines = generateBenchEvents({ events: eventCount, seed: args.seed ?? 1 });
  const bytes = lines.reduce((total, line) => total + Buffer.byteLength(line), 0);
  const messages: RawMessage[] = lines.map((value, offset) => ({ topic: 'bench', partition: offset % 4, offset, value }));
  const batches: RawMessage[][] = [];
  for (let start = 0; start < messages.length; start += batchSize) batches.push(messages.slice(start, start + batchSize));
  const directory = mkdtempSync(join(tmpdir(), 'retour-ingest-bench-'));
  try {
    const parse = await timed(() => {
      for (const line of lines) JSON.parse(line);
    });
    log(`JSON.parse loop: ${rate(lines.length, parse.ms)} events/s`);
    const decode = await timed(() => {
      for (const batch of batches) decodeBatch(batch, { maxEventBytes: 65_536 });
    });
    log(`decodeBatch only: ${rate(lines.length, decode.ms)} events/s`);

    const ndjsonPath = join(directory, 'events.ndjson');
    writeFileSync(ndjsonPath, `${lines.join('\n')}\n`);
    const baselineDb = await openDatabase({ path: join(directory, 'baseline.duckdb'), migrate: false });
    let readNdjsonMs: number;
    try {
      const connection = await baselineDb.connect();
      readNdjsonMs = (
        await timed(() =>
          connection.run(`CREATE TABLE raw_events AS SELECT * FROM read_ndjson('${ndjsonPath.replace(/'/g, "''")}', format = 'newline_delimited', maximum_object_size = 1048576)`),
        )
      ).ms;
    } finally {
      baselineDb.close();
    }
    log(`DuckDB read_ndjson into a table: ${rate(lines.length, readNdjsonMs)} events/s`);

    const runIngest = async (name: string, pipelined: boolean): Promise<{ ms: number; stored: number; duplicates: number; quarantined: number; rows: Record<string, number> }> => {
      const database = await openDatabase({ path: join(directory, `${name}.duckdb`) });
      try {
        const writer = await createEventBatchWriter(await database.connect());
        const options = { maxEventBytes: 65_536 };
        let stored = 0;
        let duplicates = 0;
        let quarantined = 0;
        const { ms } = await timed(async () => {
          for (let pass = 0; pass < 2; pass++) {
            if (pass === 1) break; // one pass timed; the re-ingest pass is measured separately below
            if (!pipelined) {
              for (const batch of batches) {
                const outcome = await ingestBatch(writer, batch, options);
                stored += outcome.stored;
                duplicates += outcome.duplicates;
                quarantined += outcome.quarantined.length;
              }
            } else {
              // Decode batch n+1 on the JavaScript thread while DuckDB's threads write batch n.
              let decoded = decodeBatch(batches[0]!, options);
              for (let index = 0; index < batches.length; index++) {
                const writing = writeDecodedBatch(writer, batches[index]!, decoded, options);
                const next = batches[index + 1];
                if (next !== undefined) decoded = decodeBatch(next, options);
                const outcome = await writing;
                stored += outcome.stored;
                duplicates += outcome.duplicates;
                quarantined += outcome.quarantined.length;
              }
            }
          }
        });
        const counts = await (await database.connect()).runAndReadAll(
          `SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM orders), (SELECT count(*) FROM order_lines), (SELECT count(*) FROM deliveries),
                  (SELECT count(*) FROM return_lines), (SELECT count(*) FROM return_receipts), (SELECT count(*) FROM inspections), (SELECT count(*) FROM refunds)`,
        );
        const [events, orders, orderLines, deliveries, returnLines, receipts, inspections, refunds] = counts.getRows()[0]!.map(Number);
        const rows = { events: events!, orders: orders!, orderLines: orderLines!, deliveries: deliveries!, returnLines: returnLines!, receipts: receipts!, inspections: inspections!, refunds: refunds! };
        if (name === 'sequential') {
          const again = await timed(async () => {
            for (const batch of batches) {
              const outcome = await ingestBatch(writer, batch, options);
              duplicates += outcome.duplicates;
            }
          });
          log(`re-ingest (all duplicates): ${rate(lines.length, again.ms)} events/s`);
          rows['reingestEventsPerSecond' as keyof typeof rows] = rate(lines.length, again.ms);
        }
        writer.close();
        return { ms, stored, duplicates, quarantined, rows };
      } finally {
        database.close();
      }
    };
    const sequential = await runIngest('sequential', false);
    log(`ingestBatch, sequential: ${rate(lines.length, sequential.ms)} events/s`);
    const pipelined = await runIngest('pipelined', true);
    log(`ingestBatch, decode of next batch overlapped with write: ${rate(lines.length, pipelined.ms)} events/s`);

    return {
      events: lines.length,
      meanEventBytes: round(bytes / lines.length),
      batchSize,
      batches: batches.length,
      baselineJsonParseEventsPerSecond: rate(lines.length, parse.ms),
      baselineDecodeEventsPerSecond: rate(lines.length, decode.ms),
      baselineReadNdjsonEventsPerSecond: rate(lines.length, readNdjsonMs),
      ingestBatchEventsPerSecond: rate(lines.length, sequential.ms),
      ingestBatchPipelinedEventsPerSecond: rate(lines.length, pipelined.ms),
      sequential,
      pipelined,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
