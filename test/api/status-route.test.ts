import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIngestStatus } from '../../store/read-ingest-status.ts';
import { createTestApi, type TestApi } from './api-test-app.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

describe('GET /v1/status', () => {
  it('answers what retour status --json says, while the server holds the database, plus the consumer state', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/status', headers: { authorization: `Bearer ${api.keys.ops}` } });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as Record<string, unknown>;
    const stored = await readIngestStatus(api.connection);
    expect(body).toEqual({ ...stored, ingest: expect.any(String) });
    // The fixture's three refused messages, by code.
    expect(body['quarantinedTotal']).toBe(3);
    expect(body['quarantined']).toEqual({ RETOUR_EVENT_ENVELOPE_INVALID: 1, RETOUR_EVENT_NOT_JSON: 1, RETOUR_EVENT_SCHEMA_INVALID: 1 });
  });

  it('is refused to roles that do not operate the pipeline', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/status', headers: { authorization: `Bearer ${api.keys.product}` } });
    expect(response.statusCode).toBe(403);
  });
});
