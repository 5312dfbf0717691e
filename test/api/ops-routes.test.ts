import { tableFromIPC } from 'apache-arrow';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../../config/load-config.ts';
import { opsJob } from '../../jobs/ops/ops-job.ts';
import { createTestApi, FIXTURE_NOW, type TestApi } from './api-test-app.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
  // The fixture's return ret_1 (requested 10-05, refunded 10-07, received 10-08, inspected 10-09) gives stage times.
  await opsJob.run({ connection: api.connection, config: configWith({}), logger: pino({ level: 'silent' }), now: FIXTURE_NOW, fullRebuild: false, signal: new AbortController().signal });
  const rows: string[] = [];
  for (let index = 0; index < 7; index++) {
    const kind = index % 2 === 0 ? 'missing_refund' : 'late_refund';
    // rex_03 and rex_04 share detected_at: the cursor must neither lose nor repeat rows on ties.
    const detected = new Date(Date.parse('2026-11-01T00:00:00Z') + (index === 4 ? 3 : index) * 86_400_000).toISOString();
    rows.push(`('rex_0${index}', 'ret_x${index}', '${kind}', '${detected}', NULL, NULL, 1000, 'EUR', '{"slaDays":14}', '${index === 6 ? 'resolved' : 'open'}', NULL, NULL, 'cus_${index}', 'apparel', 's1', '${detected}')`);
  }
  await api.connection.run(`INSERT INTO refund_exceptions VALUES ${rows.join(',')}`);
});
afterAll(async () => api.close());

function get(url: string, role: 'ops' | 'admin' | 'product' = 'ops', accept?: string) {
  return api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${api.keys[role]}`, ...(accept === undefined ? {} : { accept }) } });
}

describe('/v1/ops routes', () => {
  it('stage-times: overall percentiles over all weeks, from the ops job', async () => {
    const response = await get('/v1/ops/stage-times?weekly=false&stage=requested_to_received');
    expect(response.statusCode, response.body).toBe(200);
    // 10-05T10:00 → 10-08T10:00 is 72 hours; one return, so every percentile is 72.
    expect(response.json()).toEqual({ percentiles: [{ dimension: 'all', dimensionValue: 'all', week: null, stage: 'requested_to_received', count: 1, p50Hours: 72, p90Hours: 72, p99Hours: 72 }] });
    const byCategory = (await get('/v1/ops/stage-times?dimension=category&value=apparel&stage=received_to_inspected')).json();
    expect(byCategory.percentiles).toEqual([expect.objectContaining({ dimension: 'category', dimensionValue: 'apparel', week: '2026-10-05', p50Hours: 24 })]);
  });

  it('stage-times answers Arrow for notebooks', async () => {
    const response = await get('/v1/ops/stage-times?weekly=true', 'ops', 'application/vnd.apache.arrow.stream');
    expect(response.headers['content-type']).toContain('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(response.rawPayload);
    expect(table.numRows).toBeGreaterThan(0);
    expect(table.schema.fields.map((field) => field.name)).toContain('p90Hours');
  });

  it('refund-exceptions: newest first, filtered, paginated with a cursor that survives ties', async () => {
    const seen: string[] = [];
    let url = '/v1/ops/refund-exceptions?status=open&limit=2';
    for (let page = 0; page < 10; page++) {
      const body = (await get(url)).json() as { exceptions: { exceptionId: string; status: string }[]; nextCursor: string | null };
      seen.push(...body.exceptions.map((exception) => exception.exceptionId));
      if (body.nextCursor === null) break;
      url = `/v1/ops/refund-exceptions?status=open&limit=2&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual(['rex_05', 'rex_04', 'rex_03', 'rex_02', 'rex_01', 'rex_00']);
    const late = (await get('/v1/ops/refund-exceptions?kind=late_refund')).json();
    expect(late.exceptions.map((exception: { exceptionId: string }) => exception.exceptionId)).toEqual(['rex_05', 'rex_03', 'rex_01']);
    expect(late.exceptions[0]).toMatchObject({ returnId: 'ret_x5', evidence: { slaDays: 14 }, expectedAmount: 1000, detectedAt: '2026-11-06T00:00:00.000Z' });
  });

  it('refund-exceptions refuses a forged cursor and an unknown kind with problem details', async () => {
    const cursor = await get('/v1/ops/refund-exceptions?cursor=bm90LWEtY3Vyc29y');
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json()).toMatchObject({ code: 'RETOUR_BAD_REQUEST', errors: [{ field: 'query.cursor' }] });
    const kind = await get('/v1/ops/refund-exceptions?kind=stolen');
    expect(kind.statusCode).toBe(400);
    expect(kind.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('stuck-returns and feedback answer for admin keys too; product keys are refused', async () => {
    // ret_1 was inspected on 10-09T10:00 after its instant refund and never closed: 42 days + 2 hours by FIXTURE_NOW.
    expect((await get('/v1/ops/stuck-returns', 'admin')).json()).toEqual({
      stuck: [{ returnId: 'ret_1', stage: 'awaiting_close', since: '2026-10-09T10:00:00.000Z', ageHours: 1010, limitHours: 168, customerId: 'cus_0', category: 'apparel', sellerId: 'sel_1', method: 'mail' }],
    });
    expect((await get('/v1/ops/stuck-returns?stage=awaiting_receipt', 'admin')).json()).toEqual({ stuck: [] });
    const feedback = (await get('/v1/ops/feedback', 'admin')).json();
    expect(feedback).toMatchObject({ summary: expect.any(Array), links: expect.any(Array) });
    expect((await get('/v1/ops/feedback', 'product')).statusCode).toBe(403);
  });

  it('is documented in the OpenAPI document under the ops tag', () => {
    const paths = (api.app.swagger() as { paths: Record<string, Record<string, { tags?: string[] }>> }).paths;
    for (const path of ['/v1/ops/stage-times', '/v1/ops/stuck-returns', '/v1/ops/refund-exceptions', '/v1/ops/feedback']) {
      expect(paths[path]?.['get']?.tags, path).toEqual(['ops']);
    }
  });
});
