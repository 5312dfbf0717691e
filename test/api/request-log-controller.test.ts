import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestApi, type TestApi } from './api-test-app.ts';

/** An API whose logs are collected as parsed lines. */
async function apiLoggingAt(level: string): Promise<{ api: TestApi; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString().split('\n')) if (text !== '') lines.push(JSON.parse(text) as Record<string, unknown>);
      callback();
    },
  });
  const api = await createTestApi({ dependencies: { logger: pino({ level }, sink) } });
  return { api, lines };
}

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('RequestLogController (per-request log lines)', () => {
  it('at info a request writes no log line', async () => {
    const logged = await apiLoggingAt('info');
    api = logged.api;
    const response = await api.app.inject({ method: 'GET', url: '/v1/customers/cus_0/risk', headers: { authorization: `Bearer ${api.keys.risk}` } });
    expect(response.statusCode).toBe(200);
    expect(logged.lines.filter((line) => 'reqId' in line)).toEqual([]);
  });

  it('at debug a request writes "incoming request" and "request completed" with its status and time', async () => {
    const logged = await apiLoggingAt('debug');
    api = logged.api;
    const response = await api.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'req-log-1' } });
    expect(response.statusCode).toBe(200);
    const lines = logged.lines.filter((line) => line['reqId'] === 'req-log-1');
    expect(lines.map((line) => [line['level'], line['msg']])).toEqual([
      [20, 'incoming request'],
      [20, 'request completed'],
    ]);
    expect(lines[1]).toMatchObject({ res: { statusCode: 200 }, responseTime: expect.any(Number) });
  });

  it('at info a refused request (401, 403) writes one line, with the request id and key id but never the query or the key', async () => {
    const logged = await apiLoggingAt('info');
    api = logged.api;
    const wrongKey = await api.app.inject({ method: 'GET', url: '/v1/flags?key=s3cret', headers: { authorization: 'Bearer not-a-key', 'x-request-id': 'req-401' } });
    expect(wrongKey.statusCode).toBe(401);
    const forbidden = await api.app.inject({ method: 'GET', url: '/v1/flags', headers: { authorization: `Bearer ${api.keys.product}`, 'x-request-id': 'req-403' } });
    expect(forbidden.statusCode).toBe(403);
    const lines = logged.lines.filter((line) => line['msg'] === 'request refused');
    expect(lines.map((line) => [line['reqId'], line['statusCode'], line['path']])).toEqual([
      ['req-401', 401, '/v1/flags'],
      ['req-403', 403, '/v1/flags'],
    ]);
    expect(lines[1]!['keyId']).toEqual(expect.any(String));
    const text = JSON.stringify(logged.lines);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain(api.keys.product);
  });
});
