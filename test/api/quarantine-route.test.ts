import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './api-test-app.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

type Message = { quarantineId: number; errorCode: string; jsonPath: string; message: string; eventId: string | null; topic: string; partition: number; offset: number; raw: string; rawBytes: number; rawTruncated: boolean };
type Page = { messages: Message[]; nextCursor: string | null };

async function get(query: string): Promise<Page> {
  const response = await api.app.inject({ method: 'GET', url: `/v1/quarantine${query}`, headers: { authorization: `Bearer ${api.keys.ops}` } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Page;
}

describe('GET /v1/quarantine', () => {
  it('lists refused messages newest first with code, path, reason, position and raw text', async () => {
    const page = await get('');
    expect(page.nextCursor).toBeNull();
    expect(page.messages.map((message) => message.errorCode)).toEqual(['RETOUR_EVENT_ENVELOPE_INVALID', 'RETOUR_EVENT_SCHEMA_INVALID', 'RETOUR_EVENT_NOT_JSON']);
    expect(page.messages[1]).toMatchObject({
      jsonPath: '$.data.lines[0].quantity',
      message: 'must be >= 1',
      eventId: 'evt_q2',
      topic: 'retour.returns',
      partition: 1,
      offset: 42,
      raw: '{"id":"evt_q2","type":"return.requested","data":{"lines":[{"quantity":-1}]}}',
      rawTruncated: false,
    });
    // Bytes that are not UTF-8 come back as U+FFFD, the rest as text.
    expect(page.messages[2]).toMatchObject({ raw: '\uFFFD\uFFFDnot json', rawBytes: 10, eventId: null });
  });

  it('cuts a long message to a 4096-byte preview and says so', async () => {
    const [long] = (await get('?errorCode=RETOUR_EVENT_ENVELOPE_INVALID')).messages;
    expect(long).toMatchObject({ rawBytes: 5024, rawTruncated: true });
    expect(long?.raw).toHaveLength(4096);
  });

  it('filters by topic, event type and time, and pages with a cursor', async () => {
    expect((await get('?topic=retour.orders')).messages.map((message) => message.offset)).toEqual([7]);
    expect((await get('?eventType=return.requested')).messages.map((message) => message.eventId)).toEqual(['evt_q2']);
    expect((await get('?since=2026-11-19T00:00:00Z')).messages).toHaveLength(2);
    const first = await get('?limit=2');
    expect(first.messages).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await get(`?limit=2&cursor=${first.nextCursor ?? ''}`);
    expect(second.messages.map((message) => message.errorCode)).toEqual(['RETOUR_EVENT_NOT_JSON']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses an unknown error code, naming query.errorCode and the allowed codes', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/quarantine?errorCode=RETOUR_NOPE', headers: { authorization: `Bearer ${api.keys.ops}` } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ field: 'query.errorCode', message: expect.stringContaining('RETOUR_EVENT_NOT_JSON') as unknown }] });
  });
});
