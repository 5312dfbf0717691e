import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PERMISSIONS, API_ROLES, roleHasPermission } from '../../domain/api-roles.ts';
import { createTestApi, type TestApi } from './api-test-app.ts';
import { FIXTURE_REVOCABLE_KEY_ID } from '../../scripts/api/api-fixtures.ts';
import { PUBLIC_ROUTES, ROUTES } from './route-table.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

describe('every route × every role', () => {
  const cases = ROUTES.flatMap((route) => API_ROLES.map((role) => ({ ...route, role, allowed: roleHasPermission(role, route.permission) })));
  it.each(cases)('$method $url as $role → allowed: $allowed', async ({ method, url, body, role, allowed, okStatus }) => {
    const response = await api.app.inject({ method, url, headers: { authorization: `Bearer ${api.keys[role]}` }, ...(body === undefined ? {} : { payload: body as object }) });
    if (allowed) {
      expect(response.statusCode, response.body).toBe(okStatus ?? 200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    } else {
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 403, code: 'RETOUR_FORBIDDEN', type: 'https://retour.dev/errors/RETOUR_FORBIDDEN' });
    }
  });

  it.each(ROUTES)('$method $url without a key or with an unknown key → 401', async ({ method, url, body }) => {
    for (const headers of [{}, { authorization: 'Bearer rtr_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, { authorization: 'Basic abc' }]) {
      const response = await api.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="retour"');
      expect(response.json()).toMatchObject({ status: 401, code: 'RETOUR_UNAUTHORIZED' });
    }
  });

  it.each(PUBLIC_ROUTES)('$url needs no key', async ({ url, contentType }) => {
    const response = await api.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain(contentType);
  });

  it.each(ROUTES)('$method $url with an Accept naming only Arrow → Arrow if the route has an Arrow form, else 406; an Accept admitting JSON → JSON', async ({ method, url, body, permission, okStatus }) => {
    const role = API_ROLES.find((candidate) => roleHasPermission(candidate, permission))!;
    const request = (accept: string) =>
      api.app.inject({ method, url, headers: { authorization: `Bearer ${api.keys[role]}`, accept }, ...(body === undefined ? {} : { payload: body as object }) });
    const paths = (api.app.swagger() as unknown as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> }).paths;
    const template = Object.keys(paths).find((path) => new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(url.split('?')[0]!) && paths[path]![method.toLowerCase()] !== undefined);
    const operation = template === undefined ? undefined : paths[template]![method.toLowerCase()];
    expect(operation, `${method} ${url} in the OpenAPI document`).toBeDefined();
    const hasArrow = Object.values(operation!.responses).some((response) => response.content?.['application/vnd.apache.arrow.stream'] !== undefined);
    const arrowOnly = await request('application/vnd.apache.arrow.stream');
    if (hasArrow) {
      expect(arrowOnly.statusCode, arrowOnly.body).toBe(okStatus ?? 200);
      expect(arrowOnly.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
      expect(operation!.responses['406']).toBeUndefined();
    } else {
      expect(arrowOnly.statusCode, arrowOnly.body).toBe(406);
      expect(arrowOnly.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(arrowOnly.json()).toMatchObject({ status: 406, code: 'RETOUR_BAD_REQUEST', title: 'Not acceptable', detail: expect.stringContaining('answers application/json only'), errors: [{ field: 'headers.accept', message: 'must admit application/json' }] });
      // The OpenAPI document names the 406 (a status it does not list would fail schemathesis' conformance check).
      expect(operation!.responses['406']).toBeDefined();
    }
    // Whatever the route answers without an Accept (a repeated decision may be a 409 by now), it answers the same to these.
    const withoutAccept = await api.app.inject({ method, url, headers: { authorization: `Bearer ${api.keys[role]}` }, ...(body === undefined ? {} : { payload: body as object }) });
    expect(withoutAccept.statusCode).not.toBe(406);
    for (const accept of ['*/*', 'application/json', 'application/vnd.apache.arrow.stream, application/json;q=0.1', 'application/vnd.apache.arrow.stream, */*;q=0.5', 'APPLICATION/VND.APACHE.ARROW.STREAM;q=0, application/*']) {
      if (hasArrow && /arrow\.stream(, |$)/i.test(accept)) continue; // Arrow routes choose by q-value (flag-routes.test.ts)
      const response = await request(accept);
      expect(response.statusCode, `${accept}: ${response.body}`).toBe(withoutAccept.statusCode);
      expect(response.headers['content-type'], accept).toBe(withoutAccept.headers['content-type']);
    }
  });

  it.each(PUBLIC_ROUTES)('$url with an Accept naming only Arrow → 406 when it has a response schema, unless Accept admits what it answers', async ({ url, contentType }) => {
    const response = await api.app.inject({ method: 'GET', url, headers: { accept: 'application/vnd.apache.arrow.stream' } });
    if (url === '/docs/json') {
      // The OpenAPI document's own route has no response schema: no negotiation.
      expect(response.statusCode).toBe(200);
      return;
    }
    expect(response.statusCode).toBe(406);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining(`answers ${contentType}`), errors: [{ field: 'headers.accept', message: expect.stringContaining(`must admit ${contentType}`) }] });
    const admitting = await api.app.inject({ method: 'GET', url, headers: { accept: `application/vnd.apache.arrow.stream, ${contentType.split('/')[0]}/*;q=0.2` } });
    expect(admitting.statusCode).toBe(200);
    expect(admitting.headers['content-type']).toContain(contentType);
  });

  it('product keys hold no customer-level permission and service keys cannot decide', () => {
    const customerLevel = ['customer-risk:read', 'risk:score', 'flags:read', 'flags:decide'] as const;
    for (const permission of customerLevel) expect(roleHasPermission('product', permission)).toBe(false);
    expect(roleHasPermission('service', 'risk:score')).toBe(true);
    expect(roleHasPermission('service', 'flags:decide')).toBe(false);
  });

  it('covers every permission with at least one route, and every route of the app', () => {
    expect(new Set(ROUTES.map((route) => route.permission))).toEqual(new Set(Object.keys(API_PERMISSIONS)));
    const documented = Object.entries((api.app.swagger() as { paths: Record<string, Record<string, { security?: unknown }>> }).paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => operation.security !== undefined)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    const tested = new Set(ROUTES.map((route) => `${route.method} ${route.url.replace(/cus_0|flg_0\d|prd_1|m-1/g, '{}').replace(FIXTURE_REVOCABLE_KEY_ID, '{}')}`));
    for (const route of documented) expect(tested, route).toContain(route.replace(/\{[^}]+\}/g, '{}'));
  });
});
