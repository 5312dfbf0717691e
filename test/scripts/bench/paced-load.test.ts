import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runPacedLoad, summarizeLatencies } from '../../../scripts/bench/paced-load.ts';

describe('summarizeLatencies', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Float64Array.from({ length: 1000 }, (_, index) => 1000 - index); // 1..1000, unsorted
    expect(summarizeLatencies(values)).toEqual({ p50Ms: 500, p90Ms: 900, p99Ms: 990, p999Ms: 999, maxMs: 1000 });
    expect(summarizeLatencies(new Float64Array(0))).toEqual({ p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
  });
});

describe('runPacedLoad', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))));

  /** A server that answers after `delayMs`, with 404 for /missing, and records the bodies it got. */
  async function listen(delayMs: number): Promise<{ url: string; bodies: string[] }> {
    const bodies: string[] = [];
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        bodies.push(body);
        setTimeout(() => {
          const answer = JSON.stringify({ ok: true, padding: 'x'.repeat(100) });
          response.writeHead(request.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
          response.end(answer);
        }, delayMs);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, bodies };
  }

  it('sends rate × duration requests with their body, and counts latency from the scheduled time', async () => {
    const { url, bodies } = await listen(5);
    const result = await runPacedLoad({ url: `${url}/score`, method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' }, rate: 200, duration: 1, connections: 20, warmupSeconds: 0.2 });
    expect(result.scheduled).toBe(200);
    expect(result.completed).toBe(200);
    expect(bodies).toHaveLength(240); // warm-up included
    expect(new Set(bodies)).toEqual(new Set(['{"a":1}']));
    // Every answer takes ≥ 5 ms at the server, and the scheduled-time latency includes the service time.
    expect(result.serviceLatency.p50Ms).toBeGreaterThanOrEqual(4.5);
    expect(result.latency.p50Ms).toBeGreaterThanOrEqual(result.serviceLatency.p50Ms);
    expect(result.latency.maxMs).toBeGreaterThanOrEqual(result.latency.p99Ms);
  });

  it('counts waiting for a free connection as latency (no coordinated omission)', async () => {
    // One connection, 50 ms per answer, 100 requests/s: requests queue up, so latency from the
    // scheduled time grows far beyond the 50 ms the server takes for each.
    const { url } = await listen(50);
    const result = await runPacedLoad({ url, headers: {}, rate: 100, duration: 0.5, connections: 1, warmupSeconds: 0 });
    expect(result.completed).toBe(50);
    expect(result.connectionsOpened).toBe(1);
    expect(result.serviceLatency.maxMs).toBeLessThan(200);
    expect(result.latency.maxMs).toBeGreaterThan(1000);
    // The wait is for the connection, not the generator's timer.
    expect(result.connectionWait.maxMs).toBeGreaterThan(1000);
    expect(result.timerDelay.p99Ms).toBeLessThan(100);
  });

  it('counts non-2xx answers apart', async () => {
    const { url } = await listen(0);
    const result = await runPacedLoad({ url: `${url}/missing`, headers: {}, rate: 100, duration: 0.2, connections: 2, warmupSeconds: 0 });
    expect(result.non2xx).toBe(20);
    expect(result.completed).toBe(0);
  });

  it('refuses chunked answers with a clear error (it finds the end of an answer by Content-Length)', async () => {
    server = createServer((_request, response) => {
      response.write('two ');
      response.end('chunks'); // more than one write: Node sends Transfer-Encoding: chunked
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await expect(runPacedLoad({ url, headers: {}, rate: 10, duration: 0.1, connections: 1, warmupSeconds: 0 })).rejects.toThrow(/without Content-Length/);
  });

  it('fails clearly when nobody listens', async () => {
    await expect(runPacedLoad({ url: 'http://127.0.0.1:9/', headers: {}, rate: 10, duration: 0.1, connections: 1, warmupSeconds: 0 })).rejects.toThrow(/ECONNREFUSED/);
  });
});
