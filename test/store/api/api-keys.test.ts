import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { apiKeyId, createApiKey, hashApiKey, listActiveApiKeys } from '../../../store/api/api-keys.ts';
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
});
