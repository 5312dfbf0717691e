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

describe('retour keys list and revoke', () => {
  it('lists the keys, revokes one by id (audited as the OS user), and reports an unknown id', async () => {
    const created = retour(['keys', 'create', '--role', 'ops', '--name', 'night shift']);
    expect(created.status, created.stderr).toBe(0);
    const keyId = /key ([0-9a-f]{12})/.exec(created.stdout)?.[1];
    expect(keyId).toBeDefined();

    const table = retour(['keys', 'list']);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^KEY ID\s+ROLE\s+NAME\s+CREATED\s+REVOKED$/);
    expect(table.stdout).toMatch(new RegExp(`^${keyId}\\s+ops\\s+night shift\\s+\\S+\\s+-$`, 'm'));

    const revoked = retour(['keys', 'revoke', keyId!]);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^Revoked ops key ${keyId} \\(night shift\\) at 20\\d\\d-`));
    expect(retour(['keys', 'revoke', keyId!]).stdout).toMatch(/^Already revoked: ops key/);

    const active = retour(['keys', 'list', '--json']).stdout.trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { keyId: string });
    expect(active.map((key) => key.keyId)).not.toContain(keyId);
    const all = retour(['keys', 'list', '--all', '--json']).stdout.trim().split('\n').map((line) => JSON.parse(line) as { keyId: string; revokedAt: string | null });
    expect(all.find((key) => key.keyId === keyId)?.revokedAt).toMatch(/^20\d\d-/);

    const unknown = retour(['keys', 'revoke', '000000000000']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no API key "000000000000"');

    const db = await openDatabase({ path: database });
    try {
      const connection = await db.connect();
      const audit = (await connection.runAndReadAll(`SELECT action, key_id, role, key_name <> '' AS named FROM audit_log WHERE target = $keyId ORDER BY audit_id`, { keyId: keyId! })).getRowObjectsJson();
      expect(audit).toEqual([
        { action: 'key.create', key_id: 'cli', role: 'cli', named: true },
        { action: 'key.revoke', key_id: 'cli', role: 'cli', named: true },
      ]);
    } finally {
      db.close();
    }
  });

  it('refuses an unknown action with the usage and exit 2', () => {
    const result = retour(['keys', 'delete', 'abc']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: retour keys create --role ROLE [--name NAME] | keys list [--all] [--json] | keys revoke KEY_ID');
  });
});
