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
