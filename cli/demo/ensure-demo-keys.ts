import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { API_ROLES, type ApiRole } from '../../domain/api-roles.ts';
import { apiKeyId, createApiKey, listActiveApiKeys } from '../../store/api/api-keys.ts';

/**
 * Demo mode writes one API key per role to `<dataDir>/demo-keys.json`. Keys still active in the
 * database are reused across restarts; missing ones are created (keys are stored hashed, so the file
 * is the only place the clear keys live).
 */
export async function ensureDemoKeys(connection: DuckDBConnection, dataDir: string, now: Date): Promise<{ path: string; keys: Record<ApiRole, string> }> {
  const path = join(dataDir, 'demo-keys.json');
  const previous: Partial<Record<ApiRole, string>> = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<Record<ApiRole, string>>) : {};
  const activeIds = new Set((await listActiveApiKeys(connection)).map((record) => record.keyId));
  const keys = {} as Record<ApiRole, string>;
  for (const role of API_ROLES) {
    const existing = previous[role];
    const existingId = existing === undefined ? undefined : apiKeyId(existing);
    if (existing !== undefined && existingId !== undefined && activeIds.has(existingId)) {
      keys[role] = existing;
      continue;
    }
    keys[role] = (await createApiKey(connection, { role, name: `demo ${role}`, now })).key;
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return { path, keys };
}
