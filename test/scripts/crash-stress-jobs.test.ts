/**
 * scripts/crash-stress-jobs.ts end to end, as small as it goes: two SIGKILLs of the workload, one
 * check that keeps the write-ahead log and one that checkpoints, on a 40-day simulation.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-crash-stress-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('crash-stress-jobs', () => {
  it('kills the workload, reopens and checks the database each time', async () => {
    const args = ['--iterations', '2', '--days', '40', '--customers', '400', '--min-delay-ms', '1500', '--max-delay-ms', '2500', '--checkpoint-every', '2', '--dir', directory];
    const child = spawn(process.execPath, [join(root, 'bin/run-ts.mjs'), join(root, 'scripts/crash-stress-jobs.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/^#1 \(WAL kept\) killed after \d+ ms/m);
    expect(stdout).toMatch(/^#2 killed after \d+ ms.*check ok/m);
    const summary = JSON.parse(stdout.slice(stdout.indexOf('\n{') + 1)) as { iterations: number; kills: number; failedChecks: number };
    expect(summary).toMatchObject({ iterations: 2, kills: 2, failedChecks: 0 });
  }, 180_000);
});
