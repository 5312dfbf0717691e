/**
 * A user's mistake gets a usage message and exit 2 from every command, never a stack trace, and it
 * is found before the database is opened (so a running `retour serve` does not hide it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-usage-'));
// Never created: a usage error must be reported before the database is opened.
const database = join(directory, 'retour.duckdb');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function retour(args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/retour.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, RETOUR_DATABASE: database, RETOUR_DATA_DIR: directory, RETOUR_LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
}

function expectUsageError(args: string[], message: string | RegExp): void {
  const result = retour(args);
  expect(result.status, result.stderr).toBe(2);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
  expect(existsSync(database)).toBe(false);
}

describe('usage errors', () => {
  it('exit 2 from jobs, export and model too', () => {
    expectUsageError(['jobs'], 'usage: retour jobs run NAME|all');
    expectUsageError(['jobs', 'run', 'nosuchjob'], 'unknown job "nosuchjob"');
    expectUsageError(['export'], 'usage: retour export TABLE');
    expectUsageError(['export', 'refund_exceptions', '--format', 'xml'], '--format must be one of ndjson, csv, parquet; got "xml"');
    // Not "got null".
    expectUsageError(['export', 'refund_exceptions'], '--format is required: one of ndjson, csv, parquet');
  });

  it('model checks its usage before opening the database', () => {
    expectUsageError(['model'], 'usage: retour model train');
    expectUsageError(['model', 'promote'], /model promote needs the VERSION to promote \(retour model list shows them\)\nusage: retour model train/);
    expectUsageError(['model', 'retrain'], /unknown model command "retrain"; one of train, list, promote, history\nusage: retour model train/);
    expectUsageError(['model', 'train', '--horizon-days', '0'], '--horizon-days must be a positive integer');
  });

  it('jobs: --replay-from after --now names both options', () => {
    expectUsageError(['jobs', 'run', 'quality', '--replay-from', '2025-03-01T00:00:00Z', '--now', '2025-02-01T00:00:00Z'], /--replay-from \("2025-03-01T00:00:00Z"\) must not be after --now \("2025-02-01T00:00:00Z"\)/);
  });

  it('jobs, model and quarantine take only RFC 3339 times with zone (Date parsing took "0" for 2000-01-01 and 30 February for 2 March)', () => {
    for (const [value, option] of [['0', 'now'], ['May 3', 'now'], ['2025-02-30T00:00:00Z', 'now'], ['2025-05-01 10:00', 'now']] as const) {
      expectUsageError(['jobs', 'run', 'quality', `--${option}`, value], `--now must be an RFC 3339 time with zone, e.g. 2025-05-01T00:00:00Z; got ${JSON.stringify(value)}`);
    }
    expectUsageError(['jobs', 'run', 'quality', '--replay-from', '12', '--now', '2025-02-01T00:00:00Z'], '--replay-from must be an RFC 3339 time with zone');
    expectUsageError(['model', 'train', '--now', '2025-05-01'], '--now must be an RFC 3339 time with zone');
    expectUsageError(['quarantine', 'list', '--since', '0'], '--since must be an RFC 3339 time with zone');
  });

  it('jobs: --step-days without --replay-from is refused', () => {
    expectUsageError(['jobs', 'run', 'quality', '--step-days', '3'], '--step-days goes with --replay-from');
  });

  it('jobs: the usage line names --json', () => {
    const result = retour(['jobs', '--help']);
    expect(result.stdout.split('\n')[0]).toContain('[--json]');
  });

  it('quarantine list: --full without --json is refused', () => {
    expectUsageError(['quarantine', 'list', '--full'], '--full goes with --json');
  });

  it('keys create without --role says it is required', () => {
    expectUsageError(['keys', 'create'], '--role is required: one of risk, product, service, ops, admin');
  });

  it('keys revoke without a key id says what it needs, not "unknown or incomplete action"', () => {
    expectUsageError(['keys', 'revoke'], 'revoke needs the KEY_ID to revoke (the 12 hex digits after rtr_; retour keys list shows them)');
    expectUsageError(['keys', 'remove', 'abc'], 'unknown action "remove"; one of create, list, revoke');
  });
});

describe('retour --version', () => {
  it('prints the version of package.json', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const result = retour(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`retour ${version}\n`);
  });
});
