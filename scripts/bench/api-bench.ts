/**
 * `npm run bench -- api`: the hot risk routes under autocannon on loopback, against a bare fastify
 * route returning a constant, measured in the same run and the same process, while ingest writes
 * generated events into the same DuckDB file in the background (as in `retour serve`).
 *
 * The load generator runs in a child process (the autocannon CLI), so it does not share the
 * server's event loop. Each route is measured twice: at full speed (requests/s; the ratio to the
 * bare route) and at a fixed rate (default 5,000 requests/s) for p50/p99.
 *
 * Options: --duration S (per run, default 10), --connections N (default 50), --rate R (default 5000),
 * --customers N (snapshots in memory, default 100000), --ingest-rate E (events/s, default 2000; 0 = off),
 * --log-level L (pino level of the API, default warn), --rounds N (full-speed rounds, median kept; default 3).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import pino from 'pino';
import { buildApp } from '../../api/build-app.ts';
import { createRiskSnapshotHolder } from '../../api/risk-snapshot-holder.ts';
import { createEventBatchWriter, ingestBatch } from '../../ingest/ingest-batch.ts';
import type { CustomerRiskSnapshot } from '../../domain/risk/customer-risk-snapshot.ts';
import { createSeededRandom } from '../../models/random/seeded-random.ts';
import { openDatabase } from '../../store/open-database.ts';
import { generateBenchEvents } from './generate-bench-events.ts';

interface RunResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

function autocannon(options: { url: string; duration: number; connections: number; rate?: number; method?: string; body?: string; headers: Record<string, string> }): Promise<RunResult> {
  const args = [autocannonCli, '-j', '-c', String(options.connections), '-d', String(options.duration)];
  if (options.rate !== undefined) args.push('-R', String(options.rate));
  if (options.method !== undefined) args.push('-m', options.method);
  if (options.body !== undefined) args.push('-b', options.body);
  for (const [name, value] of Object.entries(options.headers)) args.push('-H', `${name}=${value}`);
  args.push(options.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${stderr.slice(-500)}`));
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
      resolve({ requestsPerSecond: Math.round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors });
    });
  });
}

/** The run with the median requests/s (the upper median for an even count). */
function medianRun(runs: readonly RunResult[]): RunResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function syntheticSnapshots(count: number, seed: number): Map<string, CustomerRiskSnapshot> {
  const random = createSeededRandom(seed);
  const snapshots = new Map<string, CustomerRiskSnapshot>();
  for (let index = 0; index < count; index++) {
    const score = random.next();
    const customerId = `cus_${index}`;
    snapshots.set(customerId, {
      customerId,
      status: 'scored',
      score,
      tier: score >= 0.8 ? 'high' : score >= 0.5 ? 'review' : 'low',
      reasons: score >= 0.5 ? [{ code: 'NOT_DECLARED', text: 'returned items not declared in the parcel', weight: 0.6 }] : [],
      modelVersion: 'bench-1',
      computedAt: '2026-11-20T11:00:00.000Z',
      fraudTypeHint: null,
      notDeclared90d: random.nextInt(3),
      usedReturns90d: 0,
      refundsWithoutReceipt365d: 0,
      defectClaimLines365d: random.nextInt(4),
      noFaultFoundShare365d: random.next(),
      returnedValue90d: random.nextInt(50_000),
      accountAgeDays: 30 + random.nextInt(2000),
      ringSize: 1,
      linkedCustomerIds: index % 10 === 0 ? [`cus_${index + 1}`] : [],
      openFlagId: null,
    });
  }
  return snapshots;
}

export async function runApiBench(argv: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      rate: { type: 'string', default: '5000' },
      customers: { type: 'string', default: '100000' },
      'ingest-rate': { type: 'string', default: '2000' },
      'log-level': { type: 'string', default: 'warn' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const roundCount = Number(values.rounds);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const rate = Number(values.rate);
  const customers = Number(values.customers);
  const ingestRate = Number(values['ingest-rate']);
  for (const [name, value] of Object.entries({ duration, connections, rate, customers, rounds: roundCount })) {
    if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`--${name} must be a positive integer; got ${value}`);
  }
  if (!(Number.isInteger(ingestRate) && ingestRate >= 0)) throw new RangeError(`--ingest-rate must be an integer ≥ 0; got ${ingestRate}`);

  const directory = mkdtempSync(join(tmpdir(), 'retour-api-bench-'));
  const database = await openDatabase({ path: join(directory, 'retour.duckdb') });
  const bare = Fastify();
  bare.get('/', async () => ({ status: 'ok' }));
  let stopIngest = false;
  let ingestLoop: Promise<void> = Promise.resolve();
  try {
    const app = await buildApp({
      logger: pino({ level: values['log-level'] }),
      connection: await database.connect(),
      schemaVersion: database.schemaVersion,
      ingestState: () => ({ state: 'bench', ready: true }),
      // The rate limit stays on (its cost is part of the route) but high enough not to trigger.
      config: { rateLimitPerMinute: 100_000_000, topicDecisions: 'retour.decisions' },
      riskSnapshots: createRiskSnapshotHolder(syntheticSnapshots(customers, 7)),
    });
    const { key } = await app.retour.keyring.create({ role: 'service', name: 'bench' });
    const apiBase = await app.listen({ host: '127.0.0.1', port: 0 });
    const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });

    // Ingest in the same process: paced micro-batches every 100 ms on its own connection.
    const ingestStats = { events: 0, batches: 0, ms: 0 };
    if (ingestRate > 0) {
      const totalSeconds = duration * (3 * roundCount + 3) + 10;
      const lines = generateBenchEvents({ events: ingestRate * totalSeconds, seed: 11 });
      const writer = await createEventBatchWriter(await database.connect());
      const perTick = Math.max(1, Math.round(ingestRate / 10));
      ingestLoop = (async () => {
        let offset = 0;
        const started = performance.now();
        try {
          while (!stopIngest && offset < lines.length) {
            const tickStart = performance.now();
            const batch = lines.slice(offset, offset + perTick).map((value, index) => ({ topic: 'bench', partition: 0, offset: offset + index, value }));
            await ingestBatch(writer, batch, { maxEventBytes: 65_536 });
            offset += batch.length;
            ingestStats.events += batch.length;
            ingestStats.batches += 1;
            const wait = 100 - (performance.now() - tickStart);
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          }
        } finally {
          ingestStats.ms = performance.now() - started;
          writer.close();
        }
      })();
    }

    const auth = { authorization: `Bearer ${key}` };
    const scoreBody = JSON.stringify({ customerId: 'cus_42', orderId: 'ord_1', lines: [{ productId: 'prd_1', quantity: 1, reason: 'quality.defective', unitPrice: 4999 }, { productId: 'prd_2', quantity: 2, reason: 'fit.too_small', unitPrice: 2999 }] });
    const scoreRequest = { url: `${apiBase}/v1/risk/score`, method: 'POST', body: scoreBody, headers: { ...auth, 'content-type': 'application/json' } };
    const riskRequest = { url: `${apiBase}/v1/customers/cus_42/risk`, headers: auth };
    const bareRequest = { url: `${bareBase}/`, headers: {} };

    const log = (line: string) => process.stderr.write(`${line}\n`);
    // Warm-up: JIT, serializers, connections.
    await autocannon({ ...riskRequest, duration: 2, connections });
    await autocannon({ ...scoreRequest, duration: 2, connections });
    await autocannon({ ...bareRequest, duration: 2, connections });

    // Full speed in interleaved rounds (bare, risk, score, bare, …), median per route: on a shared
    // machine the load of other processes drifts, and interleaving exposes every route to it alike.
    const rounds: { bare: RunResult[]; risk: RunResult[]; score: RunResult[] } = { bare: [], risk: [], score: [] };
    for (let round = 0; round < roundCount; round++) {
      rounds.bare.push(await autocannon({ ...bareRequest, duration, connections }));
      rounds.risk.push(await autocannon({ ...riskRequest, duration, connections }));
      rounds.score.push(await autocannon({ ...scoreRequest, duration, connections }));
      log(`round ${round + 1}: bare ${rounds.bare.at(-1)!.requestsPerSecond}/s, customer risk ${rounds.risk.at(-1)!.requestsPerSecond}/s, score ${rounds.score.at(-1)!.requestsPerSecond}/s`);
    }
    const bareMax = medianRun(rounds.bare);
    const riskMax = medianRun(rounds.risk);
    const scoreMax = medianRun(rounds.score);
    const riskAtRate = await autocannon({ ...riskRequest, duration, connections, rate });
    log(`GET /v1/customers/{id}/risk at ${rate}/s: ${JSON.stringify(riskAtRate)}`);
    const scoreAtRate = await autocannon({ ...scoreRequest, duration, connections, rate });
    log(`POST /v1/risk/score at ${rate}/s: ${JSON.stringify(scoreAtRate)}`);
    const bareAtRate = await autocannon({ ...bareRequest, duration, connections, rate });
    log(`bare fastify at ${rate}/s: ${JSON.stringify(bareAtRate)}`);

    stopIngest = true;
    await ingestLoop;
    await app.close();
    const ratio = (value: number) => Math.round((value / bareMax.requestsPerSecond) * 100) / 100;
    const goalMet = [riskAtRate, scoreAtRate].every((run) => run.p99Ms <= 5 && run.requestsPerSecond >= rate * 0.95) && ratio(riskMax.requestsPerSecond) >= 0.7 && ratio(scoreMax.requestsPerSecond) >= 0.7;
    return {
      connections,
      durationSeconds: duration,
      rounds: roundCount,
      customersInMemory: customers,
      ingestEventsPerSecond: ingestStats.ms > 0 ? Math.round(ingestStats.events / (ingestStats.ms / 1000)) : 0,
      bare: { max: bareMax, atRate: bareAtRate },
      customerRisk: { max: riskMax, atRate: riskAtRate, ratio: ratio(riskMax.requestsPerSecond) },
      score: { max: scoreMax, atRate: scoreAtRate, ratio: ratio(scoreMax.requestsPerSecond) },
      targetRate: rate,
      goal: 'p99 <= 5 ms at the target rate, full-speed ratio to bare fastify >= 0.7',
      goalMet,
    };
  } finally {
    stopIngest = true;
    await ingestLoop.catch(() => undefined);
    await bare.close();
    database.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
