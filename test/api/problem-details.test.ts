import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './api-test-app.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const as = (role: keyof TestApi['keys']) => ({ authorization: `Bearer ${api.keys[role]}` });

function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown; body: string }, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `https://retour.dev/errors/${code}` });
  expect(typeof body['title']).toBe('string');
  expect(typeof body['detail']).toBe('string');
  expect(body['requestId']).toBe(response.headers['x-request-id']);
  // Never a stack trace or SQL in a response.
  expect(response.body).not.toMatch(/\bat .*\.ts:\d+|SELECT |INSERT |Parser Error|Binder Error/);
  return body;
}

describe('400 names the field', () => {
  it.each([
    ['POST', '/v1/risk/score', { lines: [] }, 'body.customerId'],
    ['POST', '/v1/risk/score', { customerId: 'c', lines: [{ productId: 'p', quantity: 0, reason: 'fit.too_small', unitPrice: 1 }] }, 'body.lines[0].quantity'],
    ['POST', '/v1/risk/score', { customerId: 'c', lines: [{ productId: 'p', quantity: 1, reason: 'fit.wrong', unitPrice: 1 }] }, 'body.lines[0].reason'],
    ['POST', '/v1/risk/score', { customerId: 'c', lines: [{ productId: 'p', quantity: 1, reason: 'fit.too_small', unitPrice: -5 }] }, 'body.lines[0].unitPrice'],
    ['POST', '/v1/risk/score', { customerId: 'c', lines: [] }, 'body.lines'],
    ['POST', '/v1/risk/score', { customerId: 'c', lines: [{ productId: 'p', quantity: 1, reason: 'other', unitPrice: 1 }], coupon: 'x' }, 'body.coupon'],
    ['POST', '/v1/flags/flg_03/decision', { verdict: 'guilty' }, 'body.verdict'],
    ['POST', '/v1/flags/flg_03/decision', { verdict: 'fraud', fraudType: 'stealing' }, 'body.fraudType'],
    ['POST', '/v1/flags/flg_03/decision', { verdict: 'fraud', note: 'x'.repeat(2001) }, 'body.note'],
    ['GET', '/v1/flags?limit=0', undefined, 'query.limit'],
    ['GET', '/v1/flags?limit=501', undefined, 'query.limit'],
    ['GET', '/v1/flags?limit=abc', undefined, 'query.limit'],
    ['GET', '/v1/flags?tier=extreme', undefined, 'query.tier'],
    ['GET', '/v1/flags?since=yesterday', undefined, 'query.since'],
    ['GET', '/v1/flags?cursor=bm9wZQ', undefined, 'query.cursor'],
    ['GET', '/v1/flags?colour=red', undefined, 'query.colour'],
    ['GET', '/v1/alerts?status=closed', undefined, 'query.status'],
    ['GET', '/v1/quality/report?period=2026-13-40', undefined, 'query.period'],
  ])('%s %s %j → %s', async (method, url, body, field) => {
    const response = await api.app.inject({ method: method as 'GET' | 'POST', url, headers: as('admin'), ...(body === undefined ? {} : { payload: body }) });
    const problem = expectProblem(response, 400, 'RETOUR_BAD_REQUEST');
    expect((problem['errors'] as { field: string }[]).map((error) => error.field)).toContain(field);
  });

  it('a body that is not JSON is 400, and a non-JSON media type 415', async () => {
    const unparsable = expectProblem(await api.app.inject({ method: 'POST', url: '/v1/risk/score', headers: { ...as('service'), 'content-type': 'application/json' }, payload: '{"customerId":' }), 400, 'RETOUR_BAD_REQUEST');
    // Named like a validation error: the field is the body as a whole.
    expect(unparsable['errors']).toEqual([{ field: 'body', message: unparsable['detail'] }]);
    const csv = expectProblem(await api.app.inject({ method: 'POST', url: '/v1/risk/score', headers: { ...as('service'), 'content-type': 'text/csv' }, payload: 'a,b' }), 415, 'RETOUR_BAD_REQUEST');
    expect(csv['errors']).toEqual([{ field: 'body', message: csv['detail'] }]);
  });

  it.each([
    ['/v1/risk/score', 'service'],
    ['/v1/flags/flg_03/decision', 'risk'],
    ['/v1/keys', 'admin'],
  ] as const)('a text/plain body to POST %s is 415, not "body expected object"', async (url, role) => {
    const response = await api.app.inject({ method: 'POST', url, headers: { ...as(role), 'content-type': 'text/plain' }, payload: '{"verdict":"fraud"}' });
    const problem = expectProblem(response, 415, 'RETOUR_BAD_REQUEST');
    expect(problem['title']).toBe('Unsupported media type');
    // Says what to send, not only "Unsupported Media Type".
    expect(problem['detail']).toBe('the body must be JSON, sent with Content-Type: application/json; got text/plain');
    expect(problem['errors']).toEqual([{ field: 'body', message: problem['detail'] }]);
  });

  it.each([
    ['/v1/ops/stage-times?dimension=zzz', 'query.dimension', 'must be one of category, seller, method, all'],
    ['/v1/ops/stuck-returns?stage=zzz', 'query.stage', 'must be one of awaiting_receipt, awaiting_inspection, awaiting_refund, awaiting_close'],
    ['/v1/flags?status=zzz', 'query.status', 'must be one of open, confirmed, dismissed, expired'],
  ])('%s names the allowed values once', async (url, field, message) => {
    const problem = expectProblem(await api.app.inject({ method: 'GET', url, headers: as('admin') }), 400, 'RETOUR_BAD_REQUEST');
    expect(problem['errors']).toEqual([{ field, message }]);
    expect(problem['detail']).toBe(`${field} ${message}`);
  });

  it.each([
    ['GET', '/v1/jobs?status=failed', undefined, 'query.status', 'is not a parameter of this route; it takes job, limit'],
    ['GET', '/v1/flags?colour=red', undefined, 'query.colour', 'is not a parameter of this route; it takes tier, status, fraudType, customerId, since, sort, limit, cursor'],
    ['POST', '/v1/risk/score', { customerId: 'c', lines: [{ productId: 'p', quantity: 1, reason: 'other', unitPrice: 1 }], coupon: 'x' }, 'body.coupon', 'is not a field here; the fields are customerId, orderId, currency, lines'],
    ['POST', '/v1/risk/score', { customerId: 'c', lines: [{ productId: 'p', quantity: 1, reason: 'other', unitPrice: 1, colour: 'red' }] }, 'body.lines[0].colour', 'is not a field here; the fields are productId, quantity, reason, unitPrice'],
    ['POST', '/v1/flags/flg_03/decision', { verdict: 'fraud', verdit: 'fraud' }, 'body.verdit', 'is not a field here; the fields are verdict, fraudType, note, supersedes'],
  ] as const)('%s %s with an unknown name (a typo) says which names the route takes', async (method, url, body, field, message) => {
    const response = await api.app.inject({ method, url, headers: as('admin'), ...(body === undefined ? {} : { payload: body }) });
    const problem = expectProblem(response, 400, 'RETOUR_BAD_REQUEST');
    expect(problem['errors']).toEqual([{ field, message }]);
  });

  it.each(['/v1/flags?cursor=bm9wZQ', '/v1/ops/refund-exceptions?cursor=nope', '/v1/audit?cursor=0', '/v1/quarantine?cursor=zzz', '/v1/alerts?cursor=zzz'])('a malformed cursor (%s) is explained in words, not as a regex', async (url) => {
    const problem = expectProblem(await api.app.inject({ method: 'GET', url, headers: as('admin') }), 400, 'RETOUR_BAD_REQUEST');
    expect(problem['errors']).toEqual([{ field: 'query.cursor', message: 'must be a cursor returned by a previous page' }]);
  });

  it('an over-long Idempotency-Key is 400 naming the header', async () => {
    const response = await api.app.inject({ method: 'POST', url: '/v1/flags/flg_03/decision', headers: { ...as('risk'), 'idempotency-key': 'k'.repeat(256) }, payload: { verdict: 'fraud' } });
    const problem = expectProblem(response, 400, 'RETOUR_BAD_REQUEST');
    expect(problem['errors']).toEqual([expect.objectContaining({ field: 'headers.idempotency-key' })]);
  });
});

describe('404 and 405', () => {
  it('an unknown path is 404, a known path with another method 405 with Allow', async () => {
    expectProblem(await api.app.inject({ method: 'GET', url: '/v1/nothing-here' }), 404, 'RETOUR_NOT_FOUND');
    const response = await api.app.inject({ method: 'DELETE', url: '/v1/flags/flg_01', headers: as('risk') });
    expectProblem(response, 405, 'RETOUR_BAD_REQUEST');
    expect(response.headers['allow']).toBe('GET, HEAD');
  });

  it('unknown customers, flags and products are 404', async () => {
    expectProblem(await api.app.inject({ method: 'GET', url: '/v1/customers/cus_nobody/risk', headers: as('risk') }), 404, 'RETOUR_NOT_FOUND');
    expectProblem(await api.app.inject({ method: 'GET', url: '/v1/flags/flg_nobody', headers: as('risk') }), 404, 'RETOUR_NOT_FOUND');
    expectProblem(await api.app.inject({ method: 'POST', url: '/v1/flags/flg_nobody/decision', headers: as('risk'), payload: { verdict: 'fraud' } }), 404, 'RETOUR_NOT_FOUND');
    expectProblem(await api.app.inject({ method: 'GET', url: '/v1/products/prd_nobody/quality', headers: as('product') }), 404, 'RETOUR_NOT_FOUND');
  });
});

describe('500', () => {
  it('an internal failure says nothing about SQL and logs under the request id', async () => {
    const broken = await createTestApi();
    try {
      await broken.connection.run('DROP TABLE risk_flags');
      const response = await broken.app.inject({ method: 'GET', url: '/v1/flags', headers: { authorization: `Bearer ${broken.keys.risk}`, 'x-request-id': 'req-test-500' } });
      const problem = expectProblem(response, 500, 'RETOUR_INTERNAL');
      expect(problem['requestId']).toBe('req-test-500');
      expect(problem['detail']).toBe('unexpected server error; see the server logs for request id req-test-500');
    } finally {
      await broken.close();
    }
  });
});

describe('429', () => {
  it('limits per key, with Retry-After, and other keys keep working', async () => {
    const limited = await createTestApi({ rateLimitPerMinute: 3 });
    try {
      const call = (role: 'risk' | 'service') => limited.app.inject({ method: 'GET', url: '/v1/customers/cus_0/risk', headers: { authorization: `Bearer ${limited.keys[role]}` } });
      for (let index = 0; index < 3; index++) expect((await call('risk')).statusCode).toBe(200);
      const response = await call('risk');
      expectProblem(response, 429, 'RETOUR_RATE_LIMITED');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect((await call('service')).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('bodies are validated exactly as sent', () => {
  it.each([
    [{ customerId: 'c', lines: [{ productId: 'p', quantity: 1, reason: 'other', unitPrice: null }] }, 'body.lines[0].unitPrice'],
    [{ customerId: 'c', lines: [{ productId: 'p', quantity: '1', reason: 'other', unitPrice: 1 }] }, 'body.lines[0].quantity'],
    [{ customerId: 5, lines: [{ productId: 'p', quantity: 1, reason: 'other', unitPrice: 1 }] }, 'body.customerId'],
  ])('no type coercion: %j → 400 on %s', async (body, field) => {
    const response = await api.app.inject({ method: 'POST', url: '/v1/risk/score', headers: as('service'), payload: body });
    const problem = expectProblem(response, 400, 'RETOUR_BAD_REQUEST');
    expect((problem['errors'] as { field: string }[]).map((error) => error.field)).toContain(field);
  });

  it('a path parameter longer than its schema allows is 400 naming it, not 414', async () => {
    const response = await api.app.inject({ method: 'GET', url: `/v1/customers/${'x'.repeat(300)}/risk`, headers: as('risk') });
    const problem = expectProblem(response, 400, 'RETOUR_BAD_REQUEST');
    expect(problem['errors']).toEqual([expect.objectContaining({ field: 'params.customerId' })]);
  });

  it('a path that is not valid percent-encoding is a 400 problem naming the path, not fastify’s own JSON', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/customers/%ZZ/risk', headers: as('risk') });
    const problem = expectProblem(response, 400, 'RETOUR_BAD_REQUEST');
    expect(problem['errors']).toEqual([{ field: 'path', message: expect.stringMatching(/percent-encoding/) }]);
  });

  it('a path parameter longer than the router takes is a 414 problem naming the path', async () => {
    const response = await api.app.inject({ method: 'GET', url: `/v1/customers/${'x'.repeat(5000)}/risk`, headers: as('risk') });
    const problem = expectProblem(response, 414, 'RETOUR_BAD_REQUEST');
    expect(problem['title']).toBe('URI too long');
    expect(problem['errors']).toEqual([{ field: 'path', message: expect.stringMatching(/2048 characters/) }]);
    // The 5,000-character path is not echoed back whole.
    expect(response.body.length).toBeLessThan(1000);
  });

  it.each(['gzip', 'br', 'deflate'])('a body sent with Content-Encoding %s is a 415 naming the header, not "not valid JSON"', async (coding) => {
    const response = await api.app.inject({
      method: 'POST', url: '/v1/risk/score', headers: { ...as('service'), 'content-type': 'application/json', 'content-encoding': coding },
      payload: JSON.stringify({ customerId: 'c', lines: [{ productId: 'p', quantity: 1, reason: 'other', unitPrice: 1 }] }),
    });
    const problem = expectProblem(response, 415, 'RETOUR_BAD_REQUEST');
    expect(problem['errors']).toEqual([{ field: 'headers.content-encoding', message: expect.stringMatching(/not supported/) }]);
    expect(response.headers['accept-encoding']).toBe('identity');
  });

  it('Content-Encoding identity is the body as sent', async () => {
    const response = await api.app.inject({
      method: 'POST', url: '/v1/risk/score', headers: { ...as('service'), 'content-type': 'application/json', 'content-encoding': 'identity' },
      payload: JSON.stringify({ customerId: 'c', lines: [{ productId: 'p', quantity: 1, reason: 'other', unitPrice: 1 }] }),
    });
    expect(response.statusCode, response.body).toBe(200);
  });

  it('an unknown method with a body gets 405, not a content-type error', async () => {
    const response = await api.app.inject({ method: 'PROPFIND' as 'GET', url: '/v1/risk/score', headers: as('service') });
    expectProblem(response, 405, 'RETOUR_BAD_REQUEST');
    expect(response.headers['allow']).toBe('POST');
  });
});
