import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyId } from '../../store/api/api-keys.ts';
import { FIXTURE_NOW, FIXTURE_REVOCABLE_KEY_ID } from '../../scripts/api/api-fixtures.ts';
import { AUDIT_ACTIONS } from '../../api/schemas/admin-schemas.ts';
import { createTestApi, type TestApi } from './api-test-app.ts';

let api: TestApi;
beforeEach(async () => {
  api = await createTestApi();
});
afterEach(async () => api.close());

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const admin = () => bearer(api.keys.admin);
type KeyInfo = { keyId: string; name: string; role: string; createdAt: string; revokedAt: string | null };
type AuditPage = { entries: { auditId: number; keyId: string; keyName: string; role: string; action: string; target: string; requestId: string; details: Record<string, unknown> }[]; nextCursor: string | null };

async function createKey(role: string, name: string): Promise<{ key: string; keyId: string }> {
  const response = await api.app.inject({ method: 'POST', url: '/v1/keys', headers: admin(), payload: { role, name } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { key: string; keyId: string };
}

describe('API keys over the admin routes', () => {
  it('creates a key that works at once, shows it once, and lists it without a secret', async () => {
    const response = await api.app.inject({ method: 'POST', url: '/v1/keys', headers: admin(), payload: { role: 'product', name: 'dashboards' } });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const created = response.json() as { key: string; keyId: string; role: string; name: string; createdAt: string };
    expect(created).toMatchObject({ role: 'product', name: 'dashboards', createdAt: FIXTURE_NOW.toISOString() });
    expect(apiKeyId(created.key)).toBe(created.keyId);

    const report = await api.app.inject({ method: 'GET', url: '/v1/quality/report', headers: bearer(created.key) });
    expect(report.statusCode).toBe(200);
    // A product key is still a product key: no customer-level data.
    expect((await api.app.inject({ method: 'GET', url: '/v1/flags', headers: bearer(created.key) })).statusCode).toBe(403);

    const list = await api.app.inject({ method: 'GET', url: '/v1/keys', headers: admin() });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(created.key.slice(-20));
    const keys = (list.json() as { keys: KeyInfo[] }).keys;
    expect(keys.find((key) => key.keyId === created.keyId)).toEqual({ keyId: created.keyId, name: 'dashboards', role: 'product', createdAt: FIXTURE_NOW.toISOString(), revokedAt: null });
  });

  it('revokes a key: the next request with it is 401, the list shows it only with includeRevoked, repeating answers the same', async () => {
    const created = await createKey('service', 'checkout');
    expect((await api.app.inject({ method: 'POST', url: '/v1/risk/score', headers: bearer(created.key), payload: { customerId: 'cus_0', lines: [{ productId: 'prd_1', quantity: 1, reason: 'quality.defective', unitPrice: 100 }] } })).statusCode).toBe(200);

    const revoked = await api.app.inject({ method: 'DELETE', url: `/v1/keys/${created.keyId}`, headers: admin() });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({ keyId: created.keyId, role: 'service', revokedAt: FIXTURE_NOW.toISOString() });

    const refused = await api.app.inject({ method: 'POST', url: '/v1/risk/score', headers: bearer(created.key), payload: { customerId: 'cus_0', lines: [{ productId: 'prd_1', quantity: 1, reason: 'quality.defective', unitPrice: 100 }] } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'RETOUR_UNAUTHORIZED', detail: 'the API key is unknown or revoked' });

    const active = (await api.app.inject({ method: 'GET', url: '/v1/keys', headers: admin() })).json() as { keys: KeyInfo[] };
    expect(active.keys.map((key) => key.keyId)).not.toContain(created.keyId);
    const all = (await api.app.inject({ method: 'GET', url: '/v1/keys?includeRevoked=true', headers: admin() })).json() as { keys: KeyInfo[] };
    expect(all.keys.find((key) => key.keyId === created.keyId)?.revokedAt).toBe(FIXTURE_NOW.toISOString());

    const again = await api.app.inject({ method: 'DELETE', url: `/v1/keys/${created.keyId}`, headers: admin() });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(revoked.json());
  });

  it('refuses a key revoking itself (409), an unknown key (404) and a malformed key id (400 naming params.keyId)', async () => {
    const self = await api.app.inject({ method: 'DELETE', url: `/v1/keys/${apiKeyId(api.keys.admin) ?? ''}`, headers: admin() });
    expect(self.statusCode).toBe(409);
    expect(self.json()).toMatchObject({ code: 'RETOUR_CONFLICT', detail: expect.stringContaining('cannot revoke itself') as unknown });
    expect((await api.app.inject({ method: 'GET', url: '/v1/flags', headers: admin() })).statusCode).toBe(200);

    const unknown = await api.app.inject({ method: 'DELETE', url: '/v1/keys/000000000000', headers: admin() });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);

    const malformed = await api.app.inject({ method: 'DELETE', url: '/v1/keys/not-a-key-id', headers: admin() });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ errors: [{ field: 'params.keyId' }] });
  });

  it('names a key "<role> key" when the body has no name, as `retour keys create` does', async () => {
    const response = await api.app.inject({ method: 'POST', url: '/v1/keys', headers: admin(), payload: { role: 'risk' } });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json() as { keyId: string; name: string; role: string };
    expect(created).toMatchObject({ role: 'risk', name: 'risk key' });
    const audit = (await api.app.inject({ method: 'GET', url: `/v1/audit?target=${created.keyId}`, headers: admin() })).json() as AuditPage;
    expect(audit.entries).toEqual([expect.objectContaining({ action: 'key.create', details: { role: 'risk', name: 'risk key' } })]);
  });

  it('refuses a body with an unknown role, an empty name or extra fields, naming the field', async () => {
    const cases: [unknown, string, string | undefined][] = [
      [{ role: 'root', name: 'x' }, 'body.role', 'must be one of risk, product, service, ops, admin'],
      [{ role: 'risk', name: '   ' }, 'body.name', 'must be 1 to 128 characters, not only spaces'],
      [{ role: 'risk', name: 'x', keyHash: 'abc' }, 'body.keyHash', undefined],
      [{ name: 'x' }, 'body.role', undefined],
    ];
    for (const [payload, field, message] of cases) {
      const response = await api.app.inject({ method: 'POST', url: '/v1/keys', headers: admin(), payload: payload as object });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const errors = (response.json() as { errors: { field: string; message: string }[] }).errors;
      expect(errors.map((error) => error.field)).toContain(field);
      if (message !== undefined) expect(errors).toContainEqual({ field, message });
    }
    const keys = (await api.app.inject({ method: 'GET', url: '/v1/keys', headers: admin() })).json() as { keys: KeyInfo[] };
    // The five test keys and the fixture's revocable key: nothing was created by the refused bodies.
    expect(keys.keys).toHaveLength(6);
  });
});

describe('GET /v1/audit', () => {
  it('an unknown action is a 400 naming the field and the known actions, not an empty page', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/audit?action=zzz', headers: admin() });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'RETOUR_BAD_REQUEST', errors: [{ field: 'query.action', message: 'must be one of flag.decide, flag.correct, key.create, key.revoke, model.train, model.promote' }] });
  });

  it('records key changes, flag decisions, trainings and promotions with who, what and the request id, newest first', async () => {
    const created = await createKey('risk', 'analyst bob');
    await api.app.inject({ method: 'DELETE', url: `/v1/keys/${FIXTURE_REVOCABLE_KEY_ID}`, headers: admin() });
    const decision = await api.app.inject({ method: 'POST', url: '/v1/flags/flg_01/decision', headers: bearer(created.key), payload: { verdict: 'fraud', fraudType: 'item_swap', note: 'scale photo' } });
    expect(decision.statusCode, decision.body).toBe(200);
    const decisionId = (decision.json() as { decisionId: string }).decisionId;
    const correction = await api.app.inject({
      method: 'POST', url: '/v1/flags/flg_01/decision', headers: bearer(api.keys.risk), payload: { verdict: 'legitimate', note: 'the photo was of another parcel', supersedes: decisionId },
    });
    expect(correction.statusCode, correction.body).toBe(200);
    const training = await api.app.inject({ method: 'POST', url: '/v1/models/train', headers: admin() });
    expect(training.statusCode, training.body).toBe(202);
    expect((await api.app.inject({ method: 'POST', url: '/v1/models/m-2/promote', headers: admin() })).statusCode).toBe(200);

    const response = await api.app.inject({ method: 'GET', url: '/v1/audit', headers: admin() });
    expect(response.statusCode).toBe(200);
    const page = response.json() as AuditPage;
    expect(page.entries.map((entry) => [entry.action, entry.target])).toEqual([
      ['model.promote', 'm-2'],
      ['model.train', String((training.json() as { runId: number }).runId)],
      ['flag.correct', 'flg_01'],
      ['flag.decide', 'flg_01'],
      ['key.revoke', FIXTURE_REVOCABLE_KEY_ID],
      ['key.create', created.keyId],
    ]);
    // Every action written is one the `action` filter admits.
    expect(new Set(page.entries.map((entry) => entry.action))).toEqual(new Set(AUDIT_ACTIONS));
    const adminId = apiKeyId(api.keys.admin);
    expect(page.entries[0]).toMatchObject({ keyId: adminId, role: 'admin', details: { forced: false, previousVersion: 'm-1' } });
    expect(page.entries[1]).toMatchObject({ keyId: adminId, role: 'admin', details: { job: 'train' } });
    // Both decisions stay: who corrected what, when, and which decision it superseded.
    expect(page.entries[2]).toMatchObject({
      keyName: 'risk-tester', role: 'risk',
      details: {
        decisionId: (correction.json() as { decisionId: string }).decisionId, verdict: 'legitimate', fraudType: null, note: 'the photo was of another parcel',
        supersedes: { decisionId, verdict: 'fraud', fraudType: 'item_swap', note: 'scale photo', decidedBy: 'analyst bob', decidedAt: '2026-11-20T12:00:00.000Z' },
      },
    });
    expect(page.entries[3]).toMatchObject({ keyId: created.keyId, keyName: 'analyst bob', role: 'risk', details: { decisionId, verdict: 'fraud', note: 'scale photo' } });
    expect(page.entries[4]).toMatchObject({ keyId: adminId, keyName: 'admin-tester', role: 'admin', details: { role: 'product', name: 'fixture key to revoke' } });
    expect(page.entries[5]).toMatchObject({ keyId: adminId, role: 'admin', details: { role: 'risk', name: 'analyst bob' } });
    expect(page.entries.every((entry) => entry.requestId !== '')).toBe(true);
    // Never the secret of a created key.
    expect(response.body).not.toContain(created.key.slice(-20));
  });

  it('filters by action, key and target, and pages with a cursor without losing or repeating a row', async () => {
    for (let index = 0; index < 7; index++) await createKey('product', `key ${index}`);
    await api.app.inject({ method: 'DELETE', url: `/v1/keys/${FIXTURE_REVOCABLE_KEY_ID}`, headers: admin() });

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await api.app.inject({ method: 'GET', url: `/v1/audit?action=key.create&limit=3${cursor === null ? '' : `&cursor=${cursor}`}`, headers: admin() });
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as AuditPage;
      expect(response.headers['x-next-cursor']).toBe(page.nextCursor ?? undefined);
      seen.push(...page.entries.map((entry) => entry.auditId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);

    const byTarget = (await api.app.inject({ method: 'GET', url: `/v1/audit?target=${FIXTURE_REVOCABLE_KEY_ID}`, headers: admin() })).json() as AuditPage;
    expect(byTarget.entries.map((entry) => entry.action)).toEqual(['key.revoke']);
    const byOtherKey = (await api.app.inject({ method: 'GET', url: `/v1/audit?keyId=${apiKeyId(api.keys.risk) ?? ''}`, headers: admin() })).json() as AuditPage;
    expect(byOtherKey.entries).toEqual([]);
    const future = (await api.app.inject({ method: 'GET', url: '/v1/audit?since=2030-01-01T00:00:00Z', headers: admin() })).json() as AuditPage;
    expect(future.entries).toEqual([]);

    const badCursor = await api.app.inject({ method: 'GET', url: '/v1/audit?cursor=abc', headers: admin() });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json()).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });
});
