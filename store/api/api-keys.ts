/**
 * API keys: generated here, stored as SHA-256 hashes in `api_keys` (migration 005). A key is
 * `rtr_<keyId>_<secret>`; the key id is public (logs, audit, rate-limit buckets), the secret is 32
 * random bytes, so one unsalted SHA-256 is enough (nothing to brute-force, unlike a password).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { isApiRole, type ApiRole } from '../../domain/api-roles.ts';

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly keyHash: string;
  readonly name: string;
  readonly role: ApiRole;
}

const KEY_PATTERN = /^rtr_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

/** Hex SHA-256 of a presented key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The public key id of a well-formed key, or undefined (used for rate-limit buckets before auth). */
export function apiKeyId(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

/** A new random key (not stored). */
export function generateApiKey(): { key: string; keyId: string } {
  const keyId = randomBytes(6).toString('hex');
  return { key: `rtr_${keyId}_${randomBytes(32).toString('base64url')}`, keyId };
}

/**
 * Creates and stores a key; the clear key is returned once and never stored.
 * @throws {TypeError} when the role is not one of API_ROLES or the name is empty
 * @example
 * const { key } = await createApiKey(connection, { role: 'risk', name: 'alice', now: new Date() });
 */
export async function createApiKey(connection: DuckDBConnection, options: { role: string; name: string; now: Date }): Promise<{ key: string; keyId: string; role: ApiRole; name: string }> {
  if (!isApiRole(options.role)) throw new TypeError(`createApiKey: role must be one of risk, product, service, ops, admin; got ${JSON.stringify(options.role)}`);
  const name = options.name.trim();
  if (name === '' || name.length > 128) throw new TypeError(`createApiKey: name must be 1 to 128 characters; got ${JSON.stringify(options.name)}`);
  const { key, keyId } = generateApiKey();
  await connection.run(
    'INSERT INTO api_keys (key_id, key_hash, name, role, created_at) VALUES ($keyId, $hash, $name, $role, $now::TIMESTAMPTZ)',
    { keyId, hash: hashApiKey(key), name, role: options.role, now: options.now.toISOString() },
  );
  return { key, keyId, role: options.role, name };
}

/** Every key not revoked, for the API's in-memory lookup. */
export async function listActiveApiKeys(connection: DuckDBConnection): Promise<ApiKeyRecord[]> {
  const reader = await connection.runAndReadAll('SELECT key_id, key_hash, name, role FROM api_keys WHERE revoked_at IS NULL');
  return reader.getRows().flatMap(([keyId, keyHash, name, role]) =>
    // A role removed from the closed list disables its keys rather than granting anything.
    isApiRole(String(role)) ? [{ keyId: String(keyId), keyHash: String(keyHash), name: String(name), role: String(role) as ApiRole }] : [],
  );
}
