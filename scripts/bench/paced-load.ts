/**
 * An open-loop load generator for the fixed-rate phases of `npm run bench -- api`: request i is
 * *scheduled* at t0 + i/rate, evenly spaced, whatever the server does, and its latency runs from that
 * scheduled time to the end of the response. A server that stalls for 20 ms therefore shows every
 * request that should have gone out during the stall as late (no coordinated omission).
 *
 * Why not autocannon -R for these phases: autocannon gives each connection a budget per second and
 * resets it with a 1-s interval (autocannon/lib/httpClient.js, `reqsMadeThisSecond`), so each
 * connection sends its whole budget back to back when the second starts. "5,000 requests/s" over 50
 * connections then arrives as a burst at full speed (about 200 ms here) followed by silence, and its
 * p99 is the latency of a saturated server. The bench still runs autocannon -R as well, and its
 * full-speed rounds, so both figures are printed.
 *
 * Run as its own process (like autocannon), so the generator never shares the server's or the
 * orchestrator's event loop: `node bin/run-ts.mjs scripts/bench/paced-load-process.ts '<PacedLoadOptions JSON>'`
 * prints a PacedLoadResult as one JSON line.
 */
import { connect, type Socket } from 'node:net';

export interface PacedLoadOptions {
  url: string;
  method?: string;
  body?: string;
  headers: Record<string, string>;
  /** Requests per second, evenly spaced. */
  rate: number;
  /** Seconds of scheduled requests. */
  duration: number;
  /** Most connections open at once (requests beyond them wait in the generator's queue, and it counts). */
  connections: number;
  /** Seconds at the same rate before recording starts (default 1): connections opened, code warm. */
  warmupSeconds?: number;
}

export interface LatencySummary {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export interface PacedLoadResult {
  scheduled: number;
  completed: number;
  /** Completed requests per second of the schedule. */
  requestsPerSecond: number;
  non2xx: number;
  /** Connection errors end the run with an error, so this is 0 in every result printed. */
  errors: number;
  /** Connections the generator needed (opened when every open one was busy). */
  connectionsOpened: number;
  /** From the scheduled time to the end of the response: what a caller arriving at that time sees. */
  latency: LatencySummary;
  /** From the moment the generator wrote the request: the server's and the network's part alone. */
  serviceLatency: LatencySummary;
  /** How late the generator's timer took each request up (timer resolution, its own scheduling), p99 and max. */
  timerDelay: { p99Ms: number; maxMs: number };
  /** How long due requests waited for one of the `connections` to be free (the server answering slowly), p99 and max. */
  connectionWait: { p99Ms: number; maxMs: number };
}

/** Nearest-rank percentiles of `values` (sorted in place), rounded to 0.01 ms. */
export function summarizeLatencies(values: Float64Array): LatencySummary {
  values.sort();
  const at = (quantile: number): number => {
    if (values.length === 0) return 0;
    const rank = Math.min(values.length - 1, Math.max(0, Math.ceil(quantile * values.length) - 1));
    return Math.round(values[rank]! * 100) / 100;
  };
  return { p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), p999Ms: at(0.999), maxMs: at(1) };
}

/**
 * One keep-alive connection with at most one request in flight. The request bytes are built once
 * and the answer is parsed just enough to find its end (status line, Content-Length): node:http's
 * client costs ~60 µs of CPU per request, which on two cores would be taken from the server.
 */
class LoadConnection {
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private onAnswer: ((status: number) => void) | undefined;

  constructor(host: string, port: number, private readonly requestBytes: Buffer, private readonly onFailure: (error: Error) => void) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  get idle(): boolean {
    return this.onAnswer === undefined;
  }

  send(onAnswer: (status: number) => void): void {
    this.onAnswer = onAnswer;
    this.socket.write(this.requestBytes);
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.onAnswer = undefined;
    this.onFailure(error);
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const headerEnd = this.pending.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = this.pending.toString('latin1', 0, headerEnd);
    const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (lengthMatch === null) return this.fail(new Error(`an answer without Content-Length (chunked answers are not supported here): ${head.slice(0, 200)}`));
    const end = headerEnd + 4 + Number(lengthMatch[1]);
    if (this.pending.length < end) return;
    this.pending = this.pending.subarray(end);
    const answer = this.onAnswer;
    this.onAnswer = undefined;
    answer?.(Number(head.slice(9, 12)));
  }
}

/** The request as bytes: method, path, Host, the given headers, keep-alive, and the body. */
function requestBytes(url: URL, options: PacedLoadOptions): Buffer {
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const lines = [`${options.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, 'connection: keep-alive'];
  for (const [name, value] of Object.entries(options.headers)) lines.push(`${name}: ${value}`);
  if (body.length > 0) lines.push(`content-length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/**
 * Sends `rate` requests per second for `warmupSeconds` (not recorded: connections, JIT) and then for
 * `duration` seconds, recorded. Requests whose time has come wait in a queue while every connection
 * is busy; that wait counts in `latency`.
 */
export async function runPacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const { rate, duration, connections } = options;
  const warmupSeconds = options.warmupSeconds ?? 1;
  if (!(rate > 0) || !(duration > 0) || !(warmupSeconds >= 0) || !(Number.isInteger(connections) && connections >= 1)) {
    throw new RangeError(`rate and duration must be > 0, warmupSeconds ≥ 0 and connections an integer ≥ 1; got ${rate}, ${duration}, ${warmupSeconds}, ${connections}`);
  }
  const url = new URL(options.url);
  const bytes = requestBytes(url, options);
  const warmup = Math.round(rate * warmupSeconds);
  const recorded = Math.round(rate * duration);
  const scheduled = warmup + recorded;
  const latencies = new Float64Array(recorded);
  const serviceLatencies = new Float64Array(recorded);
  const timerDelays = new Float64Array(recorded);
  const connectionWaits = new Float64Array(recorded);
  let completed = 0;
  let non2xx = 0;
  let settled = 0;
  let failure: Error | undefined;
  let finish: (error?: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => (finish = (error) => (error === undefined ? resolve() : reject(error))));

  const pool: LoadConnection[] = [];
  const queue: number[] = []; // indexes of requests due and not yet sent
  const intervalMs = 1000 / rate;
  let startedAt = 0;
  const scheduledAt = (index: number): number => startedAt + index * intervalMs;

  const takenUpAt = new Float64Array(scheduled); // when the timer took each request up
  const dispatch = (connection: LoadConnection, index: number): void => {
    const sentAt = performance.now();
    connection.send((status) => {
      const endedAt = performance.now();
      if (index >= warmup) {
        if (status >= 200 && status < 300) {
          latencies[completed] = endedAt - scheduledAt(index);
          serviceLatencies[completed] = endedAt - sentAt;
          timerDelays[completed] = takenUpAt[index]! - scheduledAt(index);
          connectionWaits[completed] = sentAt - takenUpAt[index]!;
          completed += 1;
        } else {
          non2xx += 1;
        }
      }
      settled += 1;
      if (settled === scheduled) return finish();
      const waiting = queue.shift();
      if (waiting !== undefined) dispatch(connection, waiting);
    });
  };
  const onFailure = (error: Error): void => {
    failure ??= error;
    finish(failure);
  };
  const due = (index: number): void => {
    takenUpAt[index] = performance.now();
    const idle = pool.find((connection) => connection.idle);
    if (idle !== undefined) return dispatch(idle, index);
    if (pool.length < connections) {
      const opened = new LoadConnection(url.hostname, Number(url.port || 80), bytes, onFailure);
      pool.push(opened);
      return dispatch(opened, index);
    }
    queue.push(index);
  };

  startedAt = performance.now();
  let next = 0;
  const tick = (): void => {
    if (failure !== undefined) return;
    const now = performance.now();
    // Every request whose time has come goes out now; the timer's ~1 ms resolution shows in timerDelay.
    while (next < scheduled && scheduledAt(next) <= now) due(next++);
    if (next < scheduled) setTimeout(tick, Math.max(0, Math.min(1, scheduledAt(next) - performance.now())));
  };
  tick();
  // A server that stops answering fails the run instead of hanging it.
  const deadline = setTimeout(() => finish(new Error(`${scheduled - settled} requests unanswered 30 s after the last was due`)), (warmupSeconds + duration) * 1000 + 30_000);
  try {
    await done;
  } finally {
    clearTimeout(deadline);
    for (const connection of pool) connection.close();
  }
  const timer = summarizeLatencies(timerDelays.subarray(0, completed));
  const wait = summarizeLatencies(connectionWaits.subarray(0, completed));
  return {
    scheduled: recorded,
    completed,
    requestsPerSecond: Math.round(completed / duration),
    non2xx,
    errors: 0,
    connectionsOpened: pool.length,
    latency: summarizeLatencies(latencies.subarray(0, completed)),
    serviceLatency: summarizeLatencies(serviceLatencies.subarray(0, completed)),
    timerDelay: { p99Ms: timer.p99Ms, maxMs: timer.maxMs },
    connectionWait: { p99Ms: wait.p99Ms, maxMs: wait.maxMs },
  };
}
