/**
 * Output cut short by its reader (`| head`): the command stops writing and exits 0 quietly, as Unix
 * tools do, instead of crashing on EPIPE.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/open-database.ts';

const root = join(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-epipe-'));
const database = join(directory, 'retour.duckdb');
const env = { ...process.env, RETOUR_DATABASE: database, RETOUR_LOG_LEVEL: 'silent' };

beforeAll(async () => {
  // Far more than a pipe buffer (64 KiB) of output, so the writer meets the closed pipe.
  const db = await openDatabase({ path: database });
  const connection = await db.connect();
  await connection.run(`INSERT INTO refund_exceptions
    SELECT 'rex_' || i, 'ret_' || i, 'over_refund', '2026-03-20T00:00:00Z', '2026-03-10T00:00:00Z', 3500, 3000, 'EUR', '{"refunds":[{"refundId":"f1"}]}',
           'open', NULL, NULL, 'cus_' || i, 'apparel', 's' || i, '2026-03-20T00:00:00Z'
    FROM range(5000) AS t(i)`);
  db.close();
  const lines = join(directory, 'bad.ndjson');
  writeFileSync(lines, Array.from({ length: 2000 }, (_, i) => `not json, line ${i} ${'x'.repeat(100)}`).join('\n'));
  const imported = spawnSync(process.execPath, [join(root, 'bin/retour.mjs'), 'import', lines], { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
  expect(imported.status, imported.stderr).toBe(0);
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Runs `retour ARGS | head ...` in bash; returns retour's exit status and its stderr. */
function retourIntoHead(args: string, head: string) {
  const script = `node bin/retour.mjs ${args} 2>"$ERR" | ${head} >/dev/null; echo "\${PIPESTATUS[0]}"`;
  const err = join(directory, 'stderr.txt');
  const result = spawnSync('bash', ['-c', script], { cwd: root, encoding: 'utf8', env: { ...env, ERR: err }, timeout: 60_000 });
  return { status: result.stdout.trim(), stderr: readFileSync(err, 'utf8') };
}

describe('stdout closed by the reader', () => {
  it.skipIf(process.platform === 'win32')('retour export … | head -c 400 exits 0 without an error', () => {
    const result = retourIntoHead('export refund_exceptions --format ndjson', 'head -c 400');
    expect(result.stderr).not.toMatch(/EPIPE|unexpected error|\n\s+at /);
    expect(result.status).toBe('0');
  });

  it.skipIf(process.platform === 'win32')('retour quarantine list --full --json | head -3 exits 0 without an error', () => {
    const result = retourIntoHead('quarantine list --full --json --limit 2000', 'head -3');
    expect(result.stderr).not.toMatch(/EPIPE|unexpected error|\n\s+at /);
    expect(result.status).toBe('0');
  });
});
