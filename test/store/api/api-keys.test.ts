import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { apiKeyId, createApiKey, hashApiKey, listActiveApiKeys, listApiKeys, revokeApiKey } from '../../../store/api/api-keys.ts';
import { readAuditLog } from '../../../store/api/audit-log.ts';
import { openDatabase, type Database } from '../../../store/open-database.ts';

let database: Database;
let connection: DuckDBConnection;
beforeEach(async () => {
  database = await openDatabase({ path: ':memory:' });
  connection = await database.connect();
});
afterEach(() => database.close());

describe('API keys', () => {
  it('hashes with SHA-256 (hex), as `printf %s KEY | sha256sum` does', () => {
    // sha256sum of the 3 bytes "abc": ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (FIPS 180-2 example)
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('creates distinct keys whose id is readable from the key', async () => {
    const first = await createApiKey(connection, { role: 'product', name: 'dashboards', now: new Date('2026-01-01T00:00:00Z') });
    const second = await createApiKey(connection, { role: 'product', name: 'dashboards', now: new Date('2026-01-01T00:00:00Z') });
    expect(first.key).not.toBe(second.key);
    expect(apiKeyId(first.key)).toBe(first.keyId);
    expect(apiKeyId('rtr_zz_nope')).toBeUndefined();
    const active = await listActiveApiKeys(connection);
    expect(active.map((record) => record.keyHash).sort()).toEqual([hashApiKey(first.key), hashApiKey(second.key)].sort());
  });

  it('ignores revoked keys and keys whose role left the closed list', async () => {
    const revoked = await createApiKey(connection, { role: 'risk', name: 'old', now: new Date() });
    await connection.run(`UPDATE api_keys SET revoked_at = now() WHERE key_id = '${revoked.keyId}'`);
    await connection.run(`INSERT INTO api_keys VALUES ('aaaaaaaaaaaa', 'h', 'legacy', 'superuser', now(), NULL)`);
    expect(await listActiveApiKeys(connection)).toEqual([]);
  });

  it('rejects an unknown role and an empty name', async () => {
    await expect(createApiKey(connection, { role: 'root', name: 'x', now: new Date() })).rejects.toThrow(/role must be one of risk, product, service, ops, admin; got "root"/);
    await expect(createApiKey(connection, { role: 'risk', name: '  ', now: new Date() })).rejects.toThrow(/name must be 1 to 128 characters/);
  });

  it('lists keys oldest first without their hashes, revoked ones only when asked', async () => {
    const first = await createApiKey(connection, { role: 'risk', name: 'first', now: new Date('2026-01-01T00:00:00Z') });
    const second = await createApiKey(connection, { role: 'ops', name: 'second', now: new Date('2026-01-02T00:00:00Z') });
    await revokeApiKey(connection, { keyId: first.keyId, now: new Date('2026-01-03T00:00:00Z') });
    expect(await listApiKeys(connection, { includeRevoked: false })).toEqual([{ keyId: second.keyId, name: 'second', role: 'ops', createdAt: '2026-01-02T00:00:00.000Z', revokedAt: null }]);
    expect(await listApiKeys(connection, { includeRevoked: true })).toEqual([
      { keyId: first.keyId, name: 'first', role: 'risk', createdAt: '2026-01-01T00:00:00.000Z', revokedAt: '2026-01-03T00:00:00.000Z' },
      { keyId: second.keyId, name: 'second', role: 'ops', createdAt: '2026-01-02T00:00:00.000Z', revokedAt: null },
    ]);
  });

  it('revokes once: a second revocation keeps the first time, an unknown id is undefined, and each change is audited with its actor', async () => {
    const actor = { keyId: 'cli', keyName: 'ops-user', role: 'cli', requestId: '' };
    const created = await createApiKey(connection, { role: 'service', name: 'checkout', now: new Date('2026-02-01T00:00:00Z'), actor });
    const first = await revokeApiKey(connection, { keyId: created.keyId, now: new Date('2026-02-02T00:00:00Z'), actor });
    expect(first).toEqual({ outcome: 'revoked', key: { keyId: created.keyId, name: 'checkout', role: 'service', createdAt: '2026-02-01T00:00:00.000Z', revokedAt: '2026-02-02T00:00:00.000Z' } });
    const again = await revokeApiKey(connection, { keyId: created.keyId, now: new Date('2026-02-05T00:00:00Z'), actor });
    expect(again).toEqual({ outcome: 'already_revoked', key: first?.key });
    expect(await revokeApiKey(connection, { keyId: 'ffffffffffff', now: new Date(), actor })).toBeUndefined();
    expect(await listActiveApiKeys(connection)).toEqual([]);

    const { entries, hasMore } = await readAuditLog(connection, { limit: 10 });
    expect(hasMore).toBe(false);
    // The repeated and the unknown revocation changed nothing, so they left no row.
    expect(entries).toEqual([
      { auditId: 2, occurredAt: '2026-02-02T00:00:00.000Z', ...actor, action: 'key.revoke', target: created.keyId, details: { role: 'service', name: 'checkout' } },
      { auditId: 1, occurredAt: '2026-02-01T00:00:00.000Z', ...actor, action: 'key.create', target: created.keyId, details: { role: 'service', name: 'checkout' } },
    ]);
  });

  it('leaves no key behind when its audit row cannot be written', async () => {
    const actor = { keyId: 'cli', keyName: 'x', role: 'cli', requestId: '' };
    await connection.run('DROP TABLE audit_log');
    await expect(createApiKey(connection, { role: 'risk', name: 'orphan', now: new Date(), actor })).rejects.toThrow(/audit_log/);
    expect(await listApiKeys(connection, { includeRevoked: true })).toEqual([]);
  });
});
