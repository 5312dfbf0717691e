import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateCommand } from '../../cli/commands/simulate-command.ts';
import { configWith } from '../../config/load-config.ts';
import { decodeEvent } from '../../domain/events/decode-event.ts';
import type { SimulationTruth } from '../../simulator/simulation-truth.ts';

const folder = mkdtempSync(join(tmpdir(), 'retour-simulate-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function runCommand(options: Record<string, string>, environment: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await simulateCommand.run({
    options,
    positionals: [],
    config: configWith(environment),
    logger: pino({ level: 'silent' }),
    stdout,
    stderr,
    signal: new AbortController().signal,
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

describe('retour simulate', () => {
  it('writes NDJSON and a truth file; the same seed to stdout gives the same bytes; quiet when stderr is not a terminal', async () => {
    const out = join(folder, 'events.ndjson');
    const truthPath = join(folder, 'truth.json');
    const file = await runCommand({ seed: '3', days: '20', customers: '150', out, truth: truthPath }, { RETOUR_REFUND_SLA_DAYS: '10' });
    expect(file).toMatchObject({ code: 0, stderr: '' });
    const text = readFileSync(out, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) expect(decodeEvent(line).ok).toBe(true);
    const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as SimulationTruth;
    expect(truth.customers.length).toBe(150);
    expect(truth.summary.events).toBe(lines.length);
    expect(truth.policy.refundSlaDays).toBe(10);
    const piped = await runCommand({ seed: '3', days: '20', customers: '150', out: '-' }, { RETOUR_REFUND_SLA_DAYS: '10' });
    expect(piped.stdout).toBe(text);
  });

  it('applies --start, --anomaly-rates none and --duplicate-rate', async () => {
    const result = await runCommand({ seed: '3', days: '15', customers: '100', out: '-', start: '2026-03-01', 'anomaly-rates': 'none', 'duplicate-rate': '0.05' });
    expect(result.code).toBe(0);
    const events = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; time: string });
    expect(events[0]!.time.startsWith('2026-03-01')).toBe(true);
    expect(new Set(events.map((event) => event.id)).size).toBeLessThan(events.length);
  });

  it('rejects missing or contradictory options with exit code 2 and the rule', async () => {
    expect(await runCommand({ seed: '1', days: '5', out: '-' })).toMatchObject({ code: 2, stderr: expect.stringMatching(/--customers is required/) });
    expect(await runCommand({ seed: '1', days: '5', customers: '5' })).toMatchObject({ code: 2, stderr: expect.stringMatching(/exactly one of --out/) });
    expect(await runCommand({ seed: '1', days: '5', customers: '5', out: '-', to: 'kafka' })).toMatchObject({ code: 2 });
    expect(await runCommand({ seed: '1', days: 'x', customers: '5', out: '-' })).toMatchObject({ code: 2, stderr: expect.stringMatching(/--days must be an integer/) });
    expect(await runCommand({ seed: '1', days: '5', customers: '5', out: '-', 'anomaly-rates': 'late=2' })).toMatchObject({ code: 2, stderr: expect.stringMatching(/KIND=RATE/) });
  });

  it('rejects a --start that is no calendar day, or a period outside the instants the contract takes, as a usage error', async () => {
    // 2025-02-30 started on 2 March; 9999-12-31 wrote times such as "+010000-01-10:42:23Z"; until session 13
    // 0100-01-01 and 9999-12-30 were taken and wrote events Retour quarantines (docs/events.md, timestamps).
    for (const start of ['2025-02-30', '9999-12-30', '0100-01-01', '1989-12-31', '2099-12-31']) {
      expect(await runCommand({ seed: '1', days: '2', customers: '5', out: '-', start })).toMatchObject({
        code: 2,
        stderr: expect.stringContaining(`--start must be a date such as 2025-01-01, from 1990-01-01 on, with the 2 days ending by 2099-12-31; got "${start}"`),
      });
    }
    const lastDays = await runCommand({ seed: '1', days: '2', customers: '500', out: '-', start: '2099-12-30' });
    expect(lastDays.code).toBe(0);
    const lines = lastDays.stdout.trimEnd().split('\n');
    expect(lines.every((line) => (JSON.parse(line) as { time: string }).time.startsWith('2099-12-3'))).toBe(true);
    expect(lines.every((line) => decodeEvent(line).ok)).toBe(true);
  });

  it('rejects anomaly rates adding up to more than 1 (with the defaults of the kinds not named) as a usage error', async () => {
    // It was an "unexpected error: RangeError: anomaly rates must add up to at most 1, got 1.013…" with a stack trace, exit 1.
    const result = await runCommand({ seed: '1', days: '5', customers: '5', out: '-', 'anomaly-rates': 'late_refund=0.5,over_refund=0.5' });
    expect(result).toMatchObject({ code: 2 });
    expect(result.stderr).toContain(
      '--anomaly-rates must add up to at most 1 (one anomaly per return at most), got 1.013 with the defaults of the kinds not named (duplicate_refund=0.003, missing_refund=0.004, refund_without_receipt=0.002, outside_window=0.004)',
    );
    expect(await runCommand({ seed: '1', days: '5', customers: '5', out: '-', 'anomaly-rates': 'late_refund=0.5,over_refund=0.487' })).toMatchObject({ code: 0 });
  });
});
