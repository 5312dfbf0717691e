import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { createApiKeyring, type ApiKeyring } from '../../api/api-keyring.ts';
import { openDatabase, type Database } from '../../store/open-database.ts';

let database: Database;
let connection: DuckDBConnection;
let keyring: ApiKeyring;
beforeAll(async () => {
  database = await openDatabase({ path: ':memory:' });
  connection = await database.connect();
  keyring = await createApiKeyring(connection, () => new Date('2026-11-20T10:00:00Z'));
});
afterAll(() => database.close());

describe('createApiKeyring', () => {
  it('authenticates a created key, again from its cache, and never a key one character off', async () => {
    const { key, keyId } = await keyring.create({ role: 'service', name: 'svc' });
    expect(keyring.authenticate(key)).toEqual({ keyId, name: 'svc', role: 'service' });
    expect(keyring.authenticate(key)).toEqual({ keyId, name: 'svc', role: 'service' });
    expect(keyring.authenticate(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(keyring.authenticate('')).toBeUndefined();
  });

  it('a key revoked in the database stops working at the next reload, although it was cached', async () => {
    const { key, keyId } = await keyring.create({ role: 'risk', name: 'to-revoke' });
    expect(keyring.authenticate(key)?.keyId).toBe(keyId);
    await connection.run(`UPDATE api_keys SET revoked_at = TIMESTAMP '2026-11-20 11:00:00' WHERE key_id = '${keyId}'`);
    expect(keyring.authenticate(key)?.keyId).toBe(keyId);
    await keyring.reload();
    expect(keyring.authenticate(key)).toBeUndefined();
  });

  it('keeps authenticating after more distinct keys than the cache holds were presented', async () => {
    const { key, keyId } = await keyring.create({ role: 'admin', name: 'many' });
    for (let index = 0; index < 5000; index++) keyring.authenticate(`rtr_000000000000_unknown${index}`);
    expect(keyring.authenticate(key)?.keyId).toBe(keyId);
  });
});
