import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './api-test-app.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

type Operation = { security?: unknown; responses: Record<string, { content?: Record<string, unknown> }>; parameters?: { name: string; in: string }[] };

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with bearer auth and every route', async () => {
    const document = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json() as { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: unknown; schemas: Record<string, unknown> } };
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes).toEqual({ apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/metrics', '/v1/alerts', '/v1/customers/{customerId}/risk', '/v1/flags', '/v1/flags/{flagId}', '/v1/flags/{flagId}/decision', '/v1/jobs', '/v1/products/{productId}/quality', '/v1/quality/report', '/v1/risk/score']),
    );
    expect(document.components.schemas['ProblemDetails']).toBeDefined();
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (operation.security === undefined) continue;
        for (const status of ['400', '401', '403', '429', '500']) {
          expect(operation.responses[status]?.content, `${method} ${path} ${status}`).toHaveProperty(['application/problem+json']);
        }
      }
    }
    const decision = document.paths['/v1/flags/{flagId}/decision']!['post']!;
    expect(decision.parameters?.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual(expect.arrayContaining(['path:flagId', 'header:idempotency-key']));
    expect(Object.keys(document.paths['/v1/flags']!['get']!.responses['200']!.content!)).toEqual(['application/json', 'application/vnd.apache.arrow.stream']);
  });

  it("offers request examples that the API accepts as they are (Swagger UI's Try it out sends the first; without one it fills every optional field, e.g. \"supersedes\": \"string\", a 409)", async () => {
    type Media = { example?: unknown; examples?: Record<string, { value: unknown }> };
    const document = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, Media> } }>> };
    const firstExample = (path: string): unknown => {
      const media = document.paths[path]!['post']!.requestBody!.content['application/json']!;
      return media.example ?? Object.values(media.examples ?? {})[0]?.value;
    };
    for (const [path, url, role] of [
      ['/v1/risk/score', '/v1/risk/score', 'service'],
      ['/v1/flags/{flagId}/decision', '/v1/flags/flg_03/decision', 'risk'],
      ['/v1/keys', '/v1/keys', 'admin'],
    ] as const) {
      const example = firstExample(path);
      expect(example, path).toBeTypeOf('object');
      const response = await api.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${api.keys[role]}` }, payload: example as Record<string, unknown> });
      expect(response.statusCode, `${path}: ${response.body}`).toBeLessThan(300);
    }
  });

  it("says when the risk and quality routes answer 404 and 409, not only \"Not found\" / \"Conflicts with the current state\"", async () => {
    const document = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>> };
    const described = (path: string, method: string, status: string) => document.paths[path]![method]!.responses[status]!.description;
    expect(described('/v1/customers/{customerId}/risk', 'get', '404')).toContain('no activity since the last risk run');
    expect(described('/v1/flags/{flagId}', 'get', '404')).toBe('No such flag');
    expect(described('/v1/flags/{flagId}/decision', 'post', '409')).toContain('supersedes');
    expect(described('/v1/quality/report', 'get', '404')).toContain('query.category');
    expect(described('/v1/products/{productId}/quality', 'get', '404')).toContain('No quality data for this product');
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger');
  });
});

describe('/metrics', () => {
  it('counts requests by route pattern and records latency', async () => {
    await api.app.inject({ method: 'GET', url: '/v1/customers/cus_0/risk', headers: { authorization: `Bearer ${api.keys.risk}` } });
    await api.app.inject({ method: 'GET', url: '/v1/customers/cus_low/risk', headers: { authorization: `Bearer ${api.keys.risk}` } });
    await api.app.inject({ method: 'GET', url: '/v1/customers/cus_0/risk', headers: { authorization: `Bearer ${api.keys.product}` } });
    const text = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('retour_http_requests_total{method="GET",route="/v1/customers/:customerId/risk",status="200"} 2');
    expect(text).toContain('retour_http_requests_total{method="GET",route="/v1/customers/:customerId/risk",status="403"} 1');
    expect(text).toMatch(/retour_http_request_duration_seconds_count\{method="GET",route="\/v1\/customers\/:customerId\/risk"\} 3/);
    expect(text).toContain('# TYPE retour_ingest_lag_messages gauge');
    expect(text).toContain('# TYPE retour_job_duration_seconds histogram');
    if (process.platform === 'linux') expect(text).toMatch(/\nretour_event_loop_core_wait_seconds_total \d+(\.\d+)?(e-\d+)?\n/);
  });
});
