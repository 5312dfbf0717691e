/**
 * `retour check` on a real DuckDB file, as an operator runs it after a crash: exit 0 on a sound
 * database, exit 1 with the failed check named when rows and offsets disagree.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/open-database.ts';
import { orderDelivered, orderPlaced } from '../ingest/contract-event-builders.ts';

const root = join(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-check-'));
const database = join(directory, 'retour.duckdb');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function retour(args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/retour.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, RETOUR_DATABASE: database, RETOUR_LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
}

describe('retour check', () => {
  it('passes an imported database, then fails it once a stored event sits beyond its committed offset', async () => {
    const file = join(directory, 'events.ndjson');
    writeFileSync(file, [orderPlaced('e1', 'o1'), orderDelivered('e2', 'o1')].map((event) => JSON.stringify(event)).join('\n') + '\n');
    expect(retour(['import', file]).status).toBe(0);

    const sound = retour(['check']);
    expect(sound.status, sound.stderr).toBe(0);
    expect(sound.stdout).toMatch(/^OK +offsets import:events\.ndjson\/0 +offsets 1–2: each stored/m);
    expect(sound.stdout.trim().split('\n').at(-1)).toMatch(/: ok \(\d+ checks, 0 warnings, 0 failed\)$/);

    // What a crash between the rows and their offset would leave (ingest writes both in one transaction).
    const db = await openDatabase({ path: database });
    try {
      await (await db.connect()).run(`UPDATE events SET kafka_offset = 9 WHERE event_id = 'e2'`);
    } finally {
      db.close();
    }
    const broken = retour(['check', '--json']);
    expect(broken.status, broken.stderr).toBe(1);
    const report = JSON.parse(broken.stdout) as { database: string; status: string; findings: { check: string; status: string; detail: string }[] };
    expect(report).toMatchObject({ database, status: 'fail' });
    expect(report.findings.filter((finding) => finding.status !== 'ok')).toEqual([
      {
        check: 'offsets import:events.ndjson/0',
        status: 'fail',
        detail: 'a message at offset 9 is stored, but the stored next offset is 3: rows and offset were not committed together',
      },
    ]);
  });

  it('exits 2, not 1, when it cannot open the database: nothing was checked', () => {
    const notADatabase = join(directory, 'not-a-database.duckdb');
    writeFileSync(notADatabase, 'this is not a DuckDB file\n'.repeat(1000));
    const result = spawnSync(process.execPath, [join(root, 'bin/retour.mjs'), 'check'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RETOUR_DATABASE: notADatabase, RETOUR_LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^retour check: .+ \(RETOUR_[A-Z_]+\)\n$/);
  });
});
