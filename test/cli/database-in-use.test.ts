/**
 * While `retour serve` holds the database, the commands a risk, product or ops user runs say what to
 * use instead (the server's routes) next to "in use by PID" — as `retour status` does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../store/open-database.ts';

const root = join(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-in-use-'));
const path = join(directory, 'retour.duckdb');
let holder: Database;
beforeAll(async () => {
  // This test process plays the running server: it holds the file's lock.
  holder = await openDatabase({ path });
});
afterAll(() => {
  holder.close();
  rmSync(directory, { recursive: true, force: true });
});

function retour(args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/retour.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, RETOUR_DATABASE: path, RETOUR_DATA_DIR: directory, RETOUR_LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
}

describe('a command on a database retour serve holds', () => {
  it.each([
    [['keys', 'create', '--role', 'risk'], 'While retour serve runs, an admin key does this over HTTP: POST /v1/keys, GET /v1/keys, DELETE /v1/keys/{keyId}'],
    [['model', 'list'], 'While retour serve runs, an admin key does this over HTTP: GET /v1/models, POST /v1/models/train, POST /v1/models/{version}/promote'],
    [['quarantine', 'list'], 'While retour serve runs, an ops or admin key reads this over HTTP: GET /v1/quarantine'],
    [['jobs', 'run', 'risk'], 'retour serve runs the jobs itself on its schedule; GET /v1/jobs lists the runs'],
  ])('retour %j names the server route to use instead', (args, hint) => {
    const result = retour(args);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain(`in use by PID ${process.pid}`);
    expect(result.stderr).toContain(hint);
    expect(result.stderr).toContain('(RETOUR_DB_IN_USE)');
  });
});
