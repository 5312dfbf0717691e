/**
 * `npm run bench -- api-reads`: the analysts' and product teams' read routes on a marketplace-sized
 * database, one request at a time over real HTTP on loopback, against a bare fastify route answering
 * a constant in the same run.
 *
 * The database (api-reads-database.ts: the simulator's marketplace through the ingest path, the
 * quality job weekly over the last weeks, ops and risk as of the end) is built once per set of
 * parameters and cached under .cache/bench-api-reads/; each run works on a copy, so what a run writes
 * (its API key, the decisions below) never reaches the cache. Before measuring, the bench samples
 * realistic ids from the copy: the open queue's top flags and random ones, the busiest customers by
 * returns, the products with the most severe alerts, the categories and sellers, an older week; then
 * it starts the server (api-reads-server.ts: the API as `retour serve` composes it, risk snapshots
 * loaded from the database, no ingest, no jobs; forked, IPC), decides a few flags over HTTP (so
 * flags have decisions and the closed queue is not empty) and follows the flag and alert cursors to
 * collect real next-page cursors.
 *
 * Each route (a list of URLs cycled through) is warmed up, then asked --requests times, sequentially:
 * latency p50/p99/max per request (from sending to the answer's last byte), and the server's CPU
 * time (all threads: JavaScript and DuckDB's) per request over the phase. The table goes to stderr,
 * the JSON summary is the last line of stdout.
 *
 * Options: --customers N (default 100000), --days D (365), --seed S (7), --products P (600), --episodes E
 * (defect episodes, 60), --quality-weeks W (16),
 * --requests N per route (default 200), --warmup N per route (10), --only REGEX (route names),
 * --log-level L (the server's RETOUR_LOG_LEVEL, default info as in `retour serve`),
 * --profile-server DIR (run the server with --cpu-prof into DIR).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../store/open-database.ts';
import { prepareReadsDatabase } from './api-reads-database.ts';
import type { ReadsServerCommand, ReadsServerMessage, ReadsServerOptions } from './api-reads-server.ts';

const runTs = join(import.meta.dirname, '..', '..', 'bin', 'run-ts.mjs');
const ARROW = 'application/vnd.apache.arrow.stream';

interface Sample {
  openFlagIds: string[];
  closedFlagCandidates: string[];
  busyCustomerIds: string[];
  flaggedCustomerIds: string[];
  alertProductIds: string[];
  categories: string[];
  sellers: string[];
  olderPeriod: string | null;
}

/** Realistic ids, read from the copy before the server opens it. */
async function sampleIds(path: string): Promise<Sample> {
  const database = await openDatabase({ path });
  try {
    const connection = await database.connect();
    const column = async (sql: string): Promise<string[]> => (await connection.runAndReadAll(sql)).getRows().map((row) => String(row[0]));
    const openTop = await column(`SELECT flag_id FROM risk_flags WHERE status = 'open' ORDER BY score DESC, flag_id LIMIT 10`);
    // A fixed pseudo-random sample (hash order), the same in every run on the same database.
    const openRandom = await column(`SELECT flag_id FROM risk_flags WHERE status = 'open' ORDER BY hash(flag_id), flag_id LIMIT 40`);
    const closedFlagCandidates = await column(`SELECT flag_id FROM risk_flags WHERE status = 'open' ORDER BY hash(flag_id || 'decide'), flag_id LIMIT 10`);
    const busyCustomerIds = await column(`SELECT customer_id FROM return_requests GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 20`);
    const flaggedCustomerIds = await column(`SELECT customer_id FROM risk_flags ORDER BY hash(customer_id), customer_id LIMIT 20`);
    const alertProductIds = await column(`SELECT product_id FROM quality_alerts WHERE product_id IS NOT NULL GROUP BY product_id ORDER BY max(severity) DESC, product_id LIMIT 20`);
    const categories = await column(`SELECT DISTINCT scope_id FROM quality_weekly_counts WHERE scope = 'category' ORDER BY scope_id`);
    const sellers = await column(`SELECT seller_id FROM quality_alerts WHERE seller_id IS NOT NULL GROUP BY seller_id ORDER BY count(*) DESC, seller_id LIMIT 10`);
    const periods = await column(`SELECT DISTINCT period_start::VARCHAR FROM quality_weekly_counts WHERE scope = 'product' ORDER BY 1 DESC LIMIT 9`);
    return {
      openFlagIds: [...new Set([...openTop, ...openRandom])].filter((id) => !closedFlagCandidates.includes(id)),
      closedFlagCandidates,
      busyCustomerIds,
      flaggedCustomerIds,
      alertProductIds,
      categories,
      sellers,
      olderPeriod: periods.at(-1) ?? null,
    };
  } finally {
    database.close();
  }
}

interface Answer {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/** One request on the keep-alive agent (one socket: requests go one at a time). */
function send(agent: Agent, url: string, options: { headers?: Record<string, string>; method?: string; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent, method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks), headers: response.headers }));
      response.once('error', reject);
    });
    request.once('error', reject);
    request.end(options.body);
  });
}

/** The value at quantile q of sorted values (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

interface RouteResult {
  route: string;
  urls: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Server CPU per request, all threads (µs). */
  serverCpuMicrosPerRequest: number;
  /** The main thread's (event loop's) share of it (µs); null where /proc is not available. */
  mainThreadCpuMicrosPerRequest: number | null;
  /** p50 latency / the bare route's p50. */
  ratioToBare: number;
  responseBytes: number;
  load: number;
}

export async function runApiReadsBench(argv: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args: argv,
    options: {
      customers: { type: 'string', default: '100000' },
      days: { type: 'string', default: '365' },
      seed: { type: 'string', default: '7' },
      products: { type: 'string', default: '600' },
      episodes: { type: 'string', default: '60' },
      'quality-weeks': { type: 'string', default: '16' },
      requests: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '10' },
      only: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      'profile-server': { type: 'string' },
    },
  });
  const numbers = { customers: Number(values.customers), days: Number(values.days), seed: Number(values.seed), products: Number(values.products), episodes: Number(values.episodes), qualityWeeks: Number(values['quality-weeks']), requests: Number(values.requests), warmup: Number(values.warmup) };
  for (const [name, value] of Object.entries(numbers)) {
    if (!(Number.isInteger(value) && value >= (name === 'warmup' || name === 'seed' ? 0 : 1))) throw new RangeError(`--${name} must be a positive integer; got ${value}`);
  }
  const only = values.only === undefined ? undefined : new RegExp(values.only);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const load = (): number => round(loadavg()[0]!);
  const loadAtStart = load();

  const prepared = await prepareReadsDatabase({ seed: numbers.seed, customers: numbers.customers, days: numbers.days, products: numbers.products, defectEpisodes: numbers.episodes, qualityWeeks: numbers.qualityWeeks }, log);
  const directory = mkdtempSync(join(tmpdir(), 'retour-api-reads-bench-'));
  const copy = join(directory, 'retour.duckdb');
  copyFileSync(prepared.path, copy);
  if (existsSync(`${prepared.path}.wal`)) copyFileSync(`${prepared.path}.wal`, `${copy}.wal`);
  const sample = await sampleIds(copy);
  log(`sampled ${sample.openFlagIds.length} open flags, ${sample.busyCustomerIds.length} busy customers, ${sample.alertProductIds.length} products with alerts, ${sample.categories.length} categories, ${sample.sellers.length} sellers`);

  const serverLog = join(directory, 'server.log');
  const logFd = openSync(serverLog, 'w');
  const execArgv = values['profile-server'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values['profile-server']}`];
  const options: ReadsServerOptions = { database: copy, logLevel: values['log-level'] };
  const child: ChildProcess = fork(runTs, [join(import.meta.dirname, 'api-reads-server.ts'), JSON.stringify(options)], { execArgv, stdio: ['ignore', 'ignore', logFd, 'ipc'] });
  closeSync(logFd);
  const messages: ReadsServerMessage[] = [];
  const waiting: ((message: ReadsServerMessage) => void)[] = [];
  child.on('message', (message: ReadsServerMessage) => {
    const next = waiting.shift();
    if (next === undefined) messages.push(message);
    else next(message);
  });
  const exited = once(child, 'exit');
  const next = (): Promise<ReadsServerMessage> =>
    messages.length > 0
      ? Promise.resolve(messages.shift()!)
      : Promise.race([new Promise<ReadsServerMessage>((resolve) => waiting.push(resolve)), exited.then(() => Promise.reject(new Error('the bench server exited')))]);
  const command = (message: ReadsServerCommand): void => void child.send(message);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const ready = await next();
    if (ready.type !== 'ready') throw new Error(`unexpected message ${ready.type} from the bench server`);
    const { apiBase, bareBase, key } = ready;
    const auth = { authorization: `Bearer ${key}` };
    const get = async (path: string): Promise<Answer> => {
      const answer = await send(agent, `${apiBase}${path}`, { headers: auth });
      if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
      return answer;
    };

    // Decisions, so that flags have them (one corrected) and the closed queue has rows.
    const decided: string[] = [];
    for (const [index, flagId] of sample.closedFlagCandidates.entries()) {
      const verdict = index % 3 === 0 ? 'legitimate' : 'fraud';
      const body = JSON.stringify({ verdict, note: 'api-reads bench' });
      const answer = await send(agent, `${apiBase}/v1/flags/${flagId}/decision`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
      if (answer.status !== 200) throw new Error(`deciding ${flagId} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
      const decision = JSON.parse(answer.body.toString()) as { decisionId: string };
      if (index === 1) {
        const correction = JSON.stringify({ verdict: 'legitimate', note: 'corrected by the api-reads bench', supersedes: decision.decisionId });
        const corrected = await send(agent, `${apiBase}/v1/flags/${flagId}/decision`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: correction });
        if (corrected.status !== 200) throw new Error(`correcting ${flagId} answered ${corrected.status}`);
      }
      decided.push(flagId);
    }

    // Real next-page cursors: follow the pages as a client does.
    const followCursors = async (path: string, pages: number): Promise<string[]> => {
      const cursors: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < pages; page++) {
        const answer = await get(`${path}${cursor === null ? '' : `${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`}`);
        cursor = (JSON.parse(answer.body.toString()) as { nextCursor: string | null }).nextCursor;
        if (cursor === null) break;
        cursors.push(cursor);
      }
      return cursors;
    };
    const flagCursors = await followCursors('/v1/flags?limit=50', 20);
    const oldestCursors = await followCursors('/v1/flags?limit=50&sort=oldest', 20);
    const alertCursors = await followCursors('/v1/alerts?limit=50', 10);
    const openAlertCursors = await followCursors('/v1/alerts?limit=50&status=open', 10);
    log(`decided ${decided.length} flags; cursors: ${flagCursors.length} flag pages, ${oldestCursors.length} oldest-first pages, ${alertCursors.length} alert pages, ${openAlertCursors.length} open-alert pages`);

    const withCursors = (path: string, cursors: readonly string[]): string[] => [path, ...cursors.map((cursor) => `${path}&cursor=${encodeURIComponent(cursor)}`)];
    const flagIds = [...sample.openFlagIds, ...decided];
    const customers = [...sample.busyCustomerIds, ...sample.flaggedCustomerIds];
    const reportQueries = [
      '',
      ...sample.categories.map((category) => `?category=${encodeURIComponent(category)}`),
      ...sample.sellers.map((seller) => `?seller=${encodeURIComponent(seller)}`),
      ...(sample.olderPeriod === null ? [] : [`?period=${sample.olderPeriod}`, ...sample.categories.slice(0, 3).map((category) => `?period=${sample.olderPeriod}&category=${encodeURIComponent(category)}`)]),
    ];
    const alertFilters = ['', '?status=open', ...sample.categories.map((category) => `?category=${encodeURIComponent(category)}`), ...sample.sellers.map((seller) => `?seller=${encodeURIComponent(seller)}`), ...sample.alertProductIds.slice(0, 5).map((product) => `?product=${encodeURIComponent(product)}`)];
    type Route = { paths: string[]; arrow?: boolean; bare?: boolean };
    const routes: Record<string, Route> = {
      bare: { paths: ['/'], bare: true },
      'flags (open queue)': { paths: ['/v1/flags'] },
      'flags (filters)': { paths: ['/v1/flags?tier=high', '/v1/flags?status=confirmed', '/v1/flags?status=dismissed', '/v1/flags?status=expired', '/v1/flags?fraudType=ring', '/v1/flags?since=2025-12-01T00:00:00Z', ...customers.slice(0, 10).map((id) => `/v1/flags?status=open&customerId=${id}`)] },
      'flags (cursor pages)': { paths: [...withCursors('/v1/flags?limit=50', flagCursors).slice(1), ...withCursors('/v1/flags?limit=50&sort=oldest', oldestCursors).slice(1)] },
      'flags/{id}': { paths: flagIds.map((id) => `/v1/flags/${id}`) },
      'customers/{id}/risk': { paths: customers.map((id) => `/v1/customers/${id}/risk`) },
      'quality/report': { paths: reportQueries.map((query) => `/v1/quality/report${query}`) },
      'products/{id}/quality': { paths: sample.alertProductIds.map((id) => `/v1/products/${id}/quality`) },
      alerts: { paths: alertFilters.map((query) => `/v1/alerts${query}`) },
      'alerts (cursor pages)': { paths: [...withCursors('/v1/alerts?limit=50', alertCursors).slice(1), ...withCursors('/v1/alerts?limit=50&status=open', openAlertCursors).slice(1)] },
      jobs: { paths: ['/v1/jobs', '/v1/jobs?job=quality', '/v1/jobs?job=risk&limit=5'] },
      'flags arrow': { paths: ['/v1/flags', ...withCursors('/v1/flags?limit=50', flagCursors).slice(1, 5)], arrow: true },
      'quality/report arrow': { paths: reportQueries.map((query) => `/v1/quality/report${query}`), arrow: true },
      'products/{id}/quality arrow': { paths: sample.alertProductIds.map((id) => `/v1/products/${id}/quality`), arrow: true },
      'alerts arrow': { paths: alertFilters.map((query) => `/v1/alerts${query}`), arrow: true },
      'jobs arrow': { paths: ['/v1/jobs', '/v1/jobs?job=quality'], arrow: true },
    };

    const results: RouteResult[] = [];
    let bareP50 = Number.NaN;
    log(`${'route'.padEnd(28)} ${'urls'.padStart(4)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'CPU µs/req'.padStart(11)} ${'main µs'.padStart(8)} ${'×bare'.padStart(7)} ${'bytes'.padStart(8)}  load`);
    for (const [name, route] of Object.entries(routes)) {
      if (only !== undefined && name !== 'bare' && !only.test(name)) continue;
      if (route.paths.length === 0) {
        log(`${name.padEnd(28)} no ids to ask for; skipped`);
        continue;
      }
      const headers = route.bare === true ? {} : { ...auth, ...(route.arrow === true ? { accept: ARROW } : {}) };
      const base = route.bare === true ? bareBase : apiBase;
      const ask = async (index: number): Promise<Answer> => {
        const path = route.paths[index % route.paths.length]!;
        const answer = await send(agent, `${base}${path}`, { headers });
        if (answer.status !== 200) throw new Error(`${name}: GET ${path} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
        if (route.arrow === true && answer.headers['content-type'] !== ARROW) throw new Error(`${name}: GET ${path} answered ${String(answer.headers['content-type'])}, not Arrow`);
        return answer;
      };
      for (let index = 0; index < numbers.warmup; index++) await ask(index);
      const latencies: number[] = [];
      let bytes = 0;
      command({ type: 'phase-start' });
      for (let index = 0; index < numbers.requests; index++) {
        const started = performance.now();
        const answer = await ask(index);
        latencies.push(performance.now() - started);
        bytes += answer.body.length;
      }
      command({ type: 'phase-end' });
      const phase = await next();
      if (phase.type !== 'phase') throw new Error(`unexpected message ${phase.type} from the bench server`);
      latencies.sort((a, b) => a - b);
      const p50 = quantile(latencies, 0.5);
      if (route.bare === true) bareP50 = p50;
      const result: RouteResult = {
        route: name,
        urls: route.paths.length,
        requests: numbers.requests,
        p50Ms: round(p50),
        p99Ms: round(quantile(latencies, 0.99)),
        maxMs: round(latencies.at(-1)!),
        serverCpuMicrosPerRequest: Math.round((phase.cpuMs * 1000) / numbers.requests),
        mainThreadCpuMicrosPerRequest: phase.mainThreadCpuMs === null ? null : Math.round((phase.mainThreadCpuMs * 1000) / numbers.requests),
        ratioToBare: round(p50 / bareP50, 1),
        responseBytes: Math.round(bytes / numbers.requests),
        load: load(),
      };
      results.push(result);
      log(
        `${name.padEnd(28)} ${String(result.urls).padStart(4)} ${result.p50Ms.toFixed(2).padStart(8)} ${result.p99Ms.toFixed(2).padStart(8)} ${result.maxMs.toFixed(2).padStart(8)} ` +
          `${String(result.serverCpuMicrosPerRequest).padStart(11)} ${String(result.mainThreadCpuMicrosPerRequest ?? '–').padStart(8)} ${result.ratioToBare.toFixed(1).padStart(7)} ${String(result.responseBytes).padStart(8)}  ${result.load}`,
      );
    }

    command({ type: 'stop' });
    await exited;
    const problems = readFileSync(serverLog, 'utf8').split('\n').filter((line) => /"level":(50|60)/.test(line));
    if (problems.length > 0) log(`server log: ${problems.length} errors; last: ${problems.at(-1)!.slice(0, 300)}`);
    const slowest = results.filter((result) => result.route !== 'bare').sort((a, b) => b.p99Ms - a.p99Ms)[0];
    return {
      database: { seed: numbers.seed, customers: numbers.customers, days: numbers.days, products: numbers.products, defectEpisodes: numbers.episodes, qualityWeeks: numbers.qualityWeeks, asOf: prepared.asOf.toISOString(), buildSeconds: prepared.buildSeconds },
      requestsPerRoute: numbers.requests,
      logLevel: values['log-level'],
      loadAtStart,
      loadAtEnd: load(),
      routes: results,
      slowest: slowest === undefined ? null : { route: slowest.route, p99Ms: slowest.p99Ms },
      goal: 'every read route p99 <= 50 ms (sequential requests)',
      goalMet: results.every((result) => result.p99Ms <= 50),
    };
  } catch (error: unknown) {
    if (existsSync(serverLog)) log(`server log tail:\n${readFileSync(serverLog, 'utf8').slice(-2000)}`);
    throw error;
  } finally {
    agent.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited.catch(() => undefined);
    }
    if (process.env['KEEP_BENCH_DIR'] === undefined) rmSync(directory, { recursive: true, force: true });
    else log(`kept ${directory}`);
  }
}
