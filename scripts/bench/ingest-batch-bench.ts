/**
 * Micro-benchmark of the ingest batch path: ingestBatch over batches of generated marketplace
 * events into a DuckDB FILE, against baselines measured in the same run on the same lines —
 * a bare JSON.parse loop, decodeBatch alone (parse + validate), and DuckDB's own read_ndjson.
 *
 * Run: npm run bench -- ingest-batch [--events 200000] [--batch 20000] [--threads N]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import { configWith } from '../../config/load-config.ts';
import { INSERT_STAGED_FACTS } from '../../store/event-fact-statements.ts';
import { openDatabase } from '../../store/open-database.ts';
import { createEventBatchWriter, decodeBatch, ingestBatch, writeDecodedBatch, type EventBatchWriterSettings, type RawMessage } from '../../ingest/ingest-batch.ts';
import { generateBenchEvents } from './generate-bench-events.ts';

export interface IngestBatchBenchArgs {
  /** Events to generate (default 200 000). */
  events?: number;
  /** Messages per ingestBatch call (default 20 000). */
  batchSize?: number;
  seed?: number;
  /** DuckDB threads of the writer's instance (default: DuckDB's, the number of cores). */
  threads?: number;
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

/**
 * The design choice measured: order lines (the largest fact table) extracted by DuckDB's
 * json_transform + unnest from staged payloads, versus appended row by row by JavaScript Appenders
 * from the already-parsed objects. Same lines, same table, one DuckDB file.
 */
async function compareFactPaths(directory: string, lines: readonly string[]): Promise<{ sqlMs: number; jsAppenderMs: number; orderLines: number }> {
  const database = await openDatabase({ path: join(directory, 'facts.duckdb') });
  try {
    const connection = await database.connect();
    await connection.run(`CREATE TEMP TABLE ingest_staging (seq INTEGER, event_id VARCHAR, type VARCHAR, payload_text VARCHAR, payload_bytes BLOB, canonical VARCHAR, topic VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT)`);
    const staging = await connection.createAppender('ingest_staging', 'main', 'temp');
    const parsed = lines.map((line) => JSON.parse(line) as { id: string; type: string; data: Record<string, unknown> });
    parsed.forEach((event, index) => {
      staging.appendInteger(index);
      staging.appendVarchar(event.id);
      staging.appendVarchar(event.type);
      staging.appendVarchar(lines[index]!);
      staging.appendNull();
      staging.appendNull();
      staging.appendVarchar('bench');
      staging.appendInteger(0);
      staging.appendBigInt(BigInt(index));
      staging.endRow();
    });
    staging.closeSync();
    const orderLinesSql = INSERT_STAGED_FACTS.find((fact) => fact.table === 'order_lines')!.sql;
    const sql = await timed(() => connection.run(orderLinesSql));
    await connection.run('CREATE TABLE order_lines_js AS SELECT * FROM order_lines LIMIT 0');
    const appender = await connection.createAppender('order_lines_js');
    const js = await timed(() => {
      for (const event of parsed) {
        if (event.type !== 'order.placed') continue;
        const data = event.data as { orderId: string; customerId: string; placedAt: string; currency: string; lines: { lineId: string; productId: string; sellerId?: string; category: string; quantity: number; unitPrice: number; variant?: { size?: string; color?: string } }[] };
        const placedAt = new DuckDBTimestampTZValue(BigInt(Date.parse(data.placedAt)) * 1000n);
        for (const line of data.lines) {
          appender.appendVarchar(data.orderId);
          appender.appendVarchar(line.lineId);
          appender.appendVarchar(data.customerId);
          appender.appendVarchar(line.productId);
          if (line.sellerId === undefined) appender.appendNull();
          else appender.appendVarchar(line.sellerId);
          appender.appendVarchar(line.category);
          appender.appendInteger(line.quantity);
          appender.appendBigInt(BigInt(line.unitPrice));
          appender.appendVarchar(data.currency);
          if (line.variant?.size === undefined) appender.appendNull();
          else appender.appendVarchar(line.variant.size);
          if (line.variant?.color === undefined) appender.appendNull();
          else appender.appendVarchar(line.variant.color);
          appender.appendTimestampTZ(placedAt);
          appender.appendVarchar(event.id);
          appender.endRow();
        }
      }
      appender.flushSync();
    });
    appender.closeSync();
    const reader = await connection.runAndReadAll('SELECT (SELECT count(*) FROM order_lines), (SELECT count(*) FROM order_lines_js)');
    const [viaSql, viaJs] = reader.getRows()[0]!.map(Number);
    if (viaSql !== viaJs) throw new Error(`the two fact paths disagree: ${viaSql} vs ${viaJs} order lines`);
    return { sqlMs: round(sql.ms), jsAppenderMs: round(js.ms), orderLines: viaSql! };
  } finally {
    database.close();
  }
}

/** `npm run bench -- ingest-batch [--events N] [--batch N]` passes argv; scripts pass an object. */
function benchArgs(args: IngestBatchBenchArgs | string[]): IngestBatchBenchArgs {
  if (!Array.isArray(args)) return args;
  const { values } = parseArgs({ args, options: { events: { type: 'string' }, batch: { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' } } });
  const parsed: IngestBatchBenchArgs = { log: (line) => process.stderr.write(`${line}\n`) };
  if (values.events !== undefined) parsed.events = Number(values.events);
  if (values.batch !== undefined) parsed.batchSize = Number(values.batch);
  if (values.seed !== undefined) parsed.seed = Number(values.seed);
  if (values.threads !== undefined) parsed.threads = Number(values.threads);
  return parsed;
}

export async function runIngestBatchBench(input: IngestBatchBenchArgs | string[] = {}): Promise<Record<string, unknown>> {
  const args = benchArgs(input);
  const eventCount = args.events ?? 200_000;
  const batchSize = args.batchSize ?? 20_000;
  const log = args.log ?? (() => undefined);
  const lines = generateBenchEvents({ events: eventCount, seed: args.seed ?? 1 });
  const bytes = lines.reduce((total, line) => total + Buffer.byteLength(line), 0);
  const messages: RawMessage[] = lines.map((value, offset) => ({ topic: 'bench', partition: offset % 4, offset, value }));
  const batches: RawMessage[][] = [];
  for (let start = 0; start < messages.length; start += batchSize) batches.push(messages.slice(start, start + batchSize));
  const directory = mkdtempSync(join(tmpdir(), 'retour-ingest-bench-'));
  // The same DuckDB settings as `retour ingest` with the default configuration.
  const config = configWith({});
  const writerSettings: EventBatchWriterSettings = { checkpointThreshold: config.duckdbCheckpointThreshold, memoryLimit: config.duckdbMemoryLimit };
  if (args.threads !== undefined) writerSettings.threads = args.threads;
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

    const runIngest = async (
      name: string,
      pipelined: boolean,
    ): Promise<{ ms: number; cpuMs: number; cpuSecondsPerMillionEvents: number; stored: number; duplicates: number; quarantined: number; rows: Record<string, number> }> => {
      const database = await openDatabase({ path: join(directory, `${name}.duckdb`) });
      try {
        const connection = await database.connect();
        const writer = await createEventBatchWriter(connection, writerSettings);
        const options = { maxEventBytes: 65_536 };
        let stored = 0;
        let duplicates = 0;
        let quarantined = 0;
        // CPU of the whole process (JavaScript thread and DuckDB's threads): wall time is distorted
        // by the other work on a shared machine, CPU-seconds much less.
        const cpuBefore = process.cpuUsage();
        const { ms } = await timed(async () => {
          {
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
          // The checkpoint deferred by checkpoint_threshold is part of the cost: count it.
          await connection.run('CHECKPOINT');
        });
        const cpu = process.cpuUsage(cpuBefore);
        const cpuMs = round((cpu.user + cpu.system) / 1000);
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
        return { ms: round(ms), cpuMs, cpuSecondsPerMillionEvents: Math.round((cpuMs / lines.length) * 1000 * 100) / 100, stored, duplicates, quarantined, rows };
      } finally {
        database.close();
      }
    };
    const factPaths = await compareFactPaths(directory, lines);
    log(`order_lines: DuckDB json_transform+unnest ${factPaths.sqlMs} ms vs JavaScript Appender ${factPaths.jsAppenderMs} ms (${factPaths.orderLines} rows)`);
    const sequential = await runIngest('sequential', false);
    log(`ingestBatch, sequential: ${rate(lines.length, sequential.ms)} events/s, ${sequential.cpuSecondsPerMillionEvents} CPU-s per 1M events`);
    const pipelined = await runIngest('pipelined', true);
    log(`ingestBatch, decode of next batch overlapped with write: ${rate(lines.length, pipelined.ms)} events/s, ${pipelined.cpuSecondsPerMillionEvents} CPU-s per 1M events`);

    return {
      events: lines.length,
      meanEventBytes: round(bytes / lines.length),
      batchSize,
      batches: batches.length,
      writerSettings,
      baselineJsonParseEventsPerSecond: rate(lines.length, parse.ms),
      baselineDecodeEventsPerSecond: rate(lines.length, decode.ms),
      baselineReadNdjsonEventsPerSecond: rate(lines.length, readNdjsonMs),
      ingestBatchEventsPerSecond: rate(lines.length, sequential.ms),
      ingestBatchPipelinedEventsPerSecond: rate(lines.length, pipelined.ms),
      orderLinesFactPath: factPaths,
      sequential,
      pipelined,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
