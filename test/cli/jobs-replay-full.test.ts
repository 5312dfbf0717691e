/** `retour jobs run quality --full --replay-from …`: the first step rebuilds, the rest go on incrementally. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { listJobRuns } from '../../store/job-runs.ts';
import { openDatabase } from '../../store/open-database.ts';

const root = join(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-replay-full-'));
const database = join(directory, 'retour.duckdb');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function retour(args: string[]): string {
  const result = spawnSync(process.execPath, [join(root, 'bin/retour.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, RETOUR_DATABASE: database, RETOUR_DATA_DIR: directory, RETOUR_LOG_LEVEL: 'silent' },
    timeout: 120_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

it('--full with --replay-from rebuilds at the first step instead of being ignored', async () => {
  retour(['jobs', 'run', 'quality', '--replay-from', '2026-01-01T00:00:00Z', '--now', '2026-01-02T00:00:00Z', '--step-days', '1']);
  retour(['jobs', 'run', 'quality', '--full', '--replay-from', '2026-01-03T00:00:00Z', '--now', '2026-01-04T00:00:00Z', '--step-days', '1']);
  const opened = await openDatabase({ path: database });
  try {
    const runs = await listJobRuns(await opened.connect(), { job: 'quality', limit: 10 });
    const modes = runs.reverse().map((run) => run.details as { mode?: string; fullReason?: string });
    expect(modes.map((details) => details.mode)).toEqual(['full', 'incremental', 'full', 'incremental']);
    expect(modes[2]).toMatchObject({ fullReason: 'requested' });
  } finally {
    opened.close();
  }
}, 120_000);

it('--json with --replay-from prints one JSON line per replayed run and nothing else', () => {
  // It printed the sentence "quality: replayed 2 runs from …" whatever --json said.
  const stdout = retour(['jobs', 'run', 'all', '--json', '--replay-from', '2026-02-01T00:00:00Z', '--now', '2026-02-08T00:00:00Z', '--step-days', '7']);
  const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { job: string; asOf: string; runId: number; rowsWritten: number; details: unknown });
  expect(lines.map((line) => [line.job, line.asOf])).toEqual(
    ['quality', 'ops', 'risk'].flatMap((job) => [[job, '2026-02-01T00:00:00.000Z'], [job, '2026-02-08T00:00:00.000Z']]),
  );
  expect(lines.every((line) => Number.isInteger(line.runId) && line.rowsWritten === 0 && typeof line.details === 'object')).toBe(true);
}, 120_000);
