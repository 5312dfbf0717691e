/**
 * API keys: generated here, stored as SHA-256 hashes in `api_keys` (migration 005). A key is
 * `rtr_<keyId>_<secret>`; the key id is public (logs, audit, rate-limit buckets), the secret is 32
 * random bytes, so one unsalted SHA-256 is enough (nothing to brute-force, unlike a password).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { isApiRole, type ApiRole } from '../../domain/api-roles.ts';
import { appendAuditEntry, type AuditActor } from './audit-log.ts';
import { inTransaction } from '../in-transaction.ts';

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
 * Creates and stores a key; the clear key is returned once and never stored. With an actor, the
 * creation is recorded in the audit log in the same transaction (action `key.create`).
 * @throws {TypeError} when the role is not one of API_ROLES or the name is empty
 * @example
 * const { key } = await createApiKey(connection, { role: 'risk', name: 'alice', now: new Date() });
 */
export async function createApiKey(
  connection: DuckDBConnection,
  options: { role: string; name: string; now: Date; actor?: AuditActor },
): Promise<{ key: string; keyId: string; role: ApiRole; name: string; createdAt: string }> {
  const role = options.role;
  if (!isApiRole(role)) throw new TypeError(`createApiKey: role must be one of risk, product, service, ops, admin; got ${JSON.stringify(role)}`);
  const name = options.name.trim();
  if (name === '' || name.length > 128) throw new TypeError(`createApiKey: name must be 1 to 128 characters; got ${JSON.stringify(options.name)}`);
  const { key, keyId } = generateApiKey();
  await inTransaction(connection, async () => {
    await connection.run(
      'INSERT INTO api_keys (key_id, key_hash, name, role, created_at) VALUES ($keyId, $hash, $name, $role, $now::TIMESTAMPTZ)',
      { keyId, hash: hashApiKey(key), name, role, now: options.now.toISOString() },
    );
    if (options.actor !== undefined) {
      await appendAuditEntry(connection, { occurredAt: options.now, actor: options.actor, action: 'key.create', target: keyId, details: { role, name } });
    }
  });
  return { key, keyId, role, name, createdAt: options.now.toISOString() };
}

/** A key as listed (never its hash). */
export interface ApiKeySummary {
  keyId: string;
  name: string;
  role: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Keys, oldest first; revoked ones only when asked; one key when `keyId` is given. */
export async function listApiKeys(connection: DuckDBConnection, options: { includeRevoked: boolean; keyId?: string }): Promise<ApiKeySummary[]> {
  const reader = await connection.runAndReadAll(
    `SELECT key_id, name, role, epoch_ms(created_at), epoch_ms(revoked_at) FROM api_keys
     WHERE ($includeRevoked OR revoked_at IS NULL) AND ($keyId IS NULL OR key_id = $keyId) ORDER BY created_at, key_id`,
    { includeRevoked: options.includeRevoked, keyId: options.keyId ?? null },
  );
  return reader.getRows().map(([keyId, name, role, createdAt, revokedAt]) => ({
    keyId: String(keyId),
    name: String(name),
    role: String(role),
    createdAt: new Date(Number(createdAt)).toISOString(),
    revokedAt: revokedAt === null ? null : new Date(Number(revokedAt)).toISOString(),
  }));
}

/**
 * Revokes a key: it stops authenticating once the API's keyring reloads (at once for the process
 * that revoked it). Revoking a revoked key changes nothing and reports when it was revoked; an unknown
 * key id gives undefined. With an actor, the revocation is audited (action `key.revoke`).
 * @example
 * const result = await revokeApiKey(connection, { keyId: '0a1b2c3d4e5f', now: new Date() });
 * // { outcome: 'revoked', key: { keyId: '0a1b2c3d4e5f', …, revokedAt: '2026-11-27T07:30:00.000Z' } }
 */
export async function revokeApiKey(
  connection: DuckDBConnection,
  options: { keyId: string; now: Date; actor?: AuditActor },
): Promise<{ outcome: 'revoked' | 'already_revoked'; key: ApiKeySummary } | undefined> {
  return inTransaction(connection, async () => {
    const updated = await connection.runAndReadAll('UPDATE api_keys SET revoked_at = $now::TIMESTAMPTZ WHERE key_id = $keyId AND revoked_at IS NULL RETURNING key_id', {
      keyId: options.keyId,
      now: options.now.toISOString(),
    });
    const [key] = await listApiKeys(connection, { includeRevoked: true, keyId: options.keyId });
    if (key === undefined) return undefined;
    if (updated.getRows().length === 0) return { outcome: 'already_revoked' as const, key };
    if (options.actor !== undefined) {
      await appendAuditEntry(connection, { occurredAt: options.now, actor: options.actor, action: 'key.revoke', target: key.keyId, details: { role: key.role, name: key.name } });
    }
    return { outcome: 'revoked' as const, key };
  });
}

/** Every key not revoked, for the API's in-memory lookup. */
export async function listActiveApiKeys(connection: DuckDBConnection): Promise<ApiKeyRecord[]> {
  const reader = await connection.runAndReadAll('SELECT key_id, key_hash, name, role FROM api_keys WHERE revoked_at IS NULL');
  return reader.getRows().flatMap(([keyId, keyHash, name, role]) =>
    // A role removed from the closed list disables its keys rather than granting anything.
    isApiRole(String(role)) ? [{ keyId: String(keyId), keyHash: String(keyHash), name: String(name), role: String(role) as ApiRole }] : [],
  );
}
