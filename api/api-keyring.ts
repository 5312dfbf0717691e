/**
 * The API's in-memory view of `api_keys`: SHA-256 of the presented key → principal. Authentication
 * on the hot path is one hash and one Map lookup; the Map is swapped whole on reload (after a key is
 * created or revoked in this process, or when the owner of the process asks).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ApiRole } from '../domain/api-roles.ts';
import { createApiKey, hashApiKey, listActiveApiKeys, listApiKeys, revokeApiKey, type ApiKeySummary } from '../store/api/api-keys.ts';
import type { AuditActor } from '../store/api/audit-log.ts';

export interface ApiPrincipal {
  readonly keyId: string;
  readonly name: string;
  readonly role: ApiRole;
}

export interface ApiKeyring {
  /** The principal of a presented key, or undefined when no active key has that hash. */
  authenticate(key: string): ApiPrincipal | undefined;
  /** Re-reads the active keys from the database. */
  reload(): Promise<void>;
  /** Creates a key, stores its hash and makes it usable at once; the clear key is returned once. Audited when an actor is given. */
  create(options: { role: string; name: string; actor?: AuditActor }): Promise<{ key: string; keyId: string; role: ApiRole; name: string; createdAt: string }>;
  /** Revokes a key; it stops authenticating at once. Undefined for an unknown key id. Audited when an actor is given. */
  revoke(options: { keyId: string; actor?: AuditActor }): Promise<{ outcome: 'revoked' | 'already_revoked'; key: ApiKeySummary } | undefined>;
  /** Every key (never a hash), oldest first. */
  list(options: { includeRevoked: boolean }): Promise<ApiKeySummary[]>;
}

/** Keys remembered in clear after a successful hash lookup; the cache restarts empty when full. */
const MAX_CACHED_KEYS = 4096;

export async function createApiKeyring(connection: DuckDBConnection, now: () => Date = () => new Date()): Promise<ApiKeyring> {
  let byHash = new Map<string, ApiPrincipal>();
  // Presented key → principal, so a caller's repeated requests skip the SHA-256. Only keys that
  // matched are cached (unknown keys cannot fill it), and a reload empties it (revoked keys stop at once).
  let byKey = new Map<string, ApiPrincipal>();
  const reload = async (): Promise<void> => {
    const next = new Map<string, ApiPrincipal>();
    for (const record of await listActiveApiKeys(connection)) next.set(record.keyHash, Object.freeze({ keyId: record.keyId, name: record.name, role: record.role }));
    byHash = next;
    byKey = new Map();
  };
  await reload();
  return {
    authenticate(key) {
      const cached = byKey.get(key);
      if (cached !== undefined) return cached;
      const principal = byHash.get(hashApiKey(key));
      if (principal !== undefined) {
        if (byKey.size >= MAX_CACHED_KEYS) byKey = new Map();
        byKey.set(key, principal);
      }
      return principal;
    },
    reload,
    async create(options) {
      const created = await createApiKey(connection, { ...options, now: now() });
      await reload();
      return created;
    },
    async revoke(options) {
      const result = await revokeApiKey(connection, { ...options, now: now() });
      // Reload even when nothing changed here: another process may have revoked it.
      if (result !== undefined) await reload();
      return result;
    },
    list: (options) => listApiKeys(connection, options),
  };
}
