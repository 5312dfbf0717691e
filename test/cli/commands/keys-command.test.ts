import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../store/api/api-keys.ts';
import { openDatabase } from '../../../store/open-database.ts';

const root = join(import.meta.dirname, '../../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-keys-'));
const database = join(directory, 'retour.duckdb');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const retour = (args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/retour.mjs'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, RETOUR_DATABASE: database, RETOUR_LOG_LEVEL: 'silent' }, timeout: 60_000 });

describe('retour keys create', () => {
  it('prints the key as the last line and stores only its hash', async () => {
    const result = retour(['keys', 'create', '--role', 'risk', '--name', 'alice']);
    expect(result.status, result.stderr).toBe(0);
    const key = result.stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^rtr_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const db = await openDatabase({ path: database });
    try {
      const connection = await db.connect();
      const rows = (await connection.runAndReadAll('SELECT key_hash, name, role FROM api_keys')).getRowObjectsJson();
      expect(rows).toEqual([{ key_hash: hashApiKey(key), name: 'alice', role: 'risk' }]);
      const clear = (await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM api_keys WHERE key_hash LIKE '%' || $secret || '%'`, { secret: key.slice(-20) })).getRows()[0]![0];
      expect(clear).toBe(0);
    } finally {
      db.close();
    }
  });

  it('refuses a role outside the closed list with exit 2', () => {
    const result = retour(['keys', 'create', '--role', 'root']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--role must be one of risk, product, service, ops, admin; got "root"');
  });
});
