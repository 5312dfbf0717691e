import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestHealth } from '../../api/routes/operations-routes.ts';
import { createTestApi, type TestApi } from './api-test-app.ts';

let api: TestApi;
/** What the process owner reports; each test sets it. */
let ingest: IngestHealth = { state: 'consuming', ready: true };

beforeAll(async () => {
  api = await createTestApi({ dependencies: { ingestState: () => ingest } });
});
afterAll(async () => api.close());

describe('GET /readyz and the ingest state', () => {
  it('is 503 while the Kafka consumer reconnects, saying since when and why; /v1/status says the same', async () => {
    ingest = { state: 'reconnecting', ready: false, since: new Date('2026-11-27T11:40:00.000Z'), lastError: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' };
    const response = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: 'not_ready',
      database: 'open',
      schemaVersion: api.database.schemaVersion,
      migrationsApplied: true,
      ingest: 'reconnecting',
      ingestSince: '2026-11-27T11:40:00.000Z',
      ingestError: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    });
    const status = await api.app.inject({ method: 'GET', url: '/v1/status', headers: { authorization: `Bearer ${api.keys.ops}` } });
    expect(status.json()).toMatchObject({ ingest: 'reconnecting', ingestSince: '2026-11-27T11:40:00.000Z', ingestError: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' });
  });

  it('is 200 again once the consumer consumes, without an error', async () => {
    ingest = { state: 'consuming', ready: true, since: new Date('2026-11-27T11:41:00.000Z') };
    const response = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ready', ingest: 'consuming', ingestSince: '2026-11-27T11:41:00.000Z' });
    expect(response.json()).not.toHaveProperty('ingestError');
  });

  it('leaves out what an ingest state does not know (the demo, no Kafka)', async () => {
    ingest = { state: 'disabled', ready: true };
    const body = (await api.app.inject({ method: 'GET', url: '/readyz' })).json() as Record<string, unknown>;
    expect(body['ingest']).toBe('disabled');
    expect(Object.keys(body)).not.toContain('ingestSince');
  });
});
