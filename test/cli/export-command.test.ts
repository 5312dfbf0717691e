import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../cli/commands/export-command.ts';
import { configWith } from '../../config/load-config.ts';
import { createApiKey } from '../../store/api/api-keys.ts';
import { openDatabase } from '../../store/open-database.ts';

const folder = mkdtempSync(join(tmpdir(), 'retour-export-test-'));
const databasePath = join(folder, 'retour.duckdb');

beforeAll(async () => {
  const database = await openDatabase({ path: databasePath });
  const connection = await database.connect();
  await connection.run(`INSERT INTO refund_exceptions VALUES
    ('rex_a', 'ret_1', 'over_refund', '2026-03-20T00:00:00Z', '2026-03-10T00:00:00Z', 3500, 3000, 'EUR', '{"refunds":[{"refundId":"f1"}]}', 'open', NULL, NULL, 'cus_1', 'apparel', 's1', '2026-03-20T00:00:00Z'),
    ('rex_b', 'ret_2', 'missing_refund', '2026-03-21T00:00:00Z', '2026-03-19T00:00:00Z', NULL, 4000, 'EUR', '{"slaDays":14}', 'resolved', '2026-03-25T00:00:00Z', 'refunded_late', 'cus_2', 'electronics', 's2', '2026-03-25T00:00:00Z')`);
  await createApiKey(connection, { role: 'risk', name: 'alice', now: new Date('2026-03-01T00:00:00Z'), actor: { keyId: 'cli', keyName: 'ops', role: 'cli', requestId: '' } });
  database.close();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function runExport(positionals: string[], options: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  stderr.on('data', (chunk: Buffer) => errors.push(chunk));
  const code = await exportCommand.run({
    options,
    positionals,
    config: configWith({ RETOUR_DATABASE: databasePath }),
    logger: pino({ level: 'silent' }),
    stdout,
    stderr,
    signal: new AbortController().signal,
  });
  return { code, stdout: Buffer.concat(chunks).toString('utf8'), stderr: Buffer.concat(errors).toString('utf8') };
}

describe('retour export', () => {
  it('writes NDJSON to stdout, one row a line, and the count to stderr', async () => {
    const result = await runExport(['refund_exceptions'], { format: 'ndjson' });
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => [row['return_id'], row['kind'], row['status']])).toEqual([
      ['ret_1', 'over_refund', 'open'],
      ['ret_2', 'missing_refund', 'resolved'],
    ]);
    expect(result.stderr).toBe('exported 2 rows of refund_exceptions\n');
    // JSON columns nested, times in RFC 3339 UTC as the API writes them (not DuckDB's "2026-03-20 00:00:00+00").
    expect(rows[0]!['evidence']).toEqual({ refunds: [{ refundId: 'f1' }] });
    const times = Object.values(rows[1]!).filter((value) => typeof value === 'string' && /^2026-03-\d\d/.test(value));
    expect(times.length).toBeGreaterThanOrEqual(4);
    for (const time of times) expect(time).toMatch(/^2026-03-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('takes --out - as stdout, not as a file named "-"', async () => {
    const result = await runExport(['refund_exceptions'], { format: 'ndjson', out: '-' });
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
    expect(result.stderr).toBe('exported 2 rows of refund_exceptions\n');
    await expect(runExport(['refund_exceptions'], { format: 'parquet', out: '-' })).rejects.toMatchObject({ code: 'RETOUR_USAGE', message: expect.stringContaining('--out FILE') });
  });

  it('writes CSV with a header', async () => {
    const result = await runExport(['refund_exceptions'], { format: 'csv' });
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]!.split(',').slice(0, 3)).toEqual(['exception_id', 'return_id', 'kind']);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',2026-03-20T00:00:00.000Z,');
  });

  it('writes Parquet to a file that DuckDB reads back', async () => {
    const out = join(folder, 'exceptions.parquet');
    const result = await runExport(['refund_exceptions'], { format: 'parquet', out });
    expect(result.code).toBe(0);
    expect(readFileSync(out).subarray(0, 4).toString('latin1')).toBe('PAR1');
    const database = await openDatabase({ path: ':memory:', migrate: false });
    const connection = await database.connect();
    const rows = (await connection.runAndReadAll(`SELECT kind, amount::INTEGER AS amount FROM read_parquet('${out}') ORDER BY kind`)).getRows();
    database.close();
    expect(rows).toEqual([['missing_refund', null], ['over_refund', 3500]]);
  });

  it('refuses a table outside the allow-list (the name is spliced into SQL), a missing format and parquet on stdout', async () => {
    await expect(runExport(['events; DROP TABLE refunds'], { format: 'csv' })).rejects.toMatchObject({ code: 'RETOUR_USAGE', message: expect.stringContaining('TABLE must be one of refund_exceptions') });
    await expect(runExport(['quarantine'], { format: 'csv' })).rejects.toMatchObject({ code: 'RETOUR_USAGE' });
    await expect(runExport(['refund_exceptions'], {})).rejects.toMatchObject({ code: 'RETOUR_USAGE', message: expect.stringContaining('--format is required: one of ndjson, csv, parquet') });
    await expect(runExport(['refund_exceptions'], { format: 'parquet' })).rejects.toMatchObject({ code: 'RETOUR_USAGE', message: expect.stringContaining('--out FILE') });
  });

  it('exports the audit log, never a key secret', async () => {
    const result = await runExport(['audit_log'], { format: 'ndjson' });
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toEqual([expect.objectContaining({ key_id: 'cli', action: 'key.create', details: { role: 'risk', name: 'alice' } })]);
  });
});
