import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPlaced, refundIssued, returnInspected } from './contract-event-builders.ts';

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RETOUR = join(REPO, 'bin/retour.mjs');
// shared/ lies beside the clone, both here and in CI.
const ONLINE_RETAIL_CSV = resolve(REPO, '../shared/data/online-retail/online-retail-sample-20k.csv');
const MAPPING = join(REPO, 'examples/online-retail.mapping.json');

let directory: string;
let database: string;

function env(): NodeJS.ProcessEnv {
  return { ...process.env, RETOUR_DATABASE: database, RETOUR_LOG_LEVEL: 'warn' };
}

async function retour(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [RETOUR, ...args], { cwd: REPO, env: env(), maxBuffer: 16 * 1024 * 1024 });
}

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'retour-import-'));
  database = join(directory, 'retour.duckdb');
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('retour import', () => {
  it('imports NDJSON, quarantines bad lines with exit 0, and stores nothing new on re-import', async () => {
    const file = join(directory, 'events.ndjson');
    const lines = [
      JSON.stringify(orderPlaced('e1', 'o1', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }])),
      JSON.stringify(returnInspected('e2', 'r1')),
      '',
      '{"not": "an event"}',
      'not json at all',
      JSON.stringify(refundIssued('e3', 'o1', 5000)),
      JSON.stringify(refundIssued('e4', 'o1', 1000)),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const first = JSON.parse((await retour('import', file, '--json')).stdout);
    expect(first).toMatchObject({
      topic: 'import:events.ndjson',
      consumed: 6,
      stored: 3,
      duplicates: 0,
      quarantinedTotal: 3,
      quarantined: { RETOUR_EVENT_ENVELOPE_INVALID: 1, RETOUR_EVENT_NOT_JSON: 1, RETOUR_EVENT_REFERENCE_INVALID: 1 },
      storedByType: { 'order.placed': 1, 'return.inspected': 1, 'refund.issued': 1 },
    });
    const second = JSON.parse((await retour('import', file, '--json')).stdout);
    expect(second).toMatchObject({ consumed: 6, stored: 0, duplicates: 3, quarantinedTotal: 3 });
    const status = JSON.parse((await retour('status', '--json')).stdout);
    // Refused again, but the quarantine keeps one row per line and reason: re-importing adds nothing.
    expect(status).toMatchObject({ eventsTotal: 3, duplicatesTotal: 3, quarantinedTotal: 3 });
    // offset = line number: the last line is 7, so the next offset is 8.
    expect(status.offsets).toEqual([{ topic: 'import:events.ndjson', partition: 0, nextOffset: 8 }]);

    // What was refused and why, as an operator reads it: newest first.
    const listed = (await retour('quarantine', 'list', '--json', '--limit', '3')).stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(listed.map((entry) => [entry['errorCode'], entry['offset']])).toEqual([
      ['RETOUR_EVENT_REFERENCE_INVALID', 6],
      ['RETOUR_EVENT_NOT_JSON', 5],
      ['RETOUR_EVENT_ENVELOPE_INVALID', 4],
    ]);
    expect(listed[1]).toMatchObject({ topic: 'import:events.ndjson', partition: 0, raw: 'not json at all', rawTruncated: false });
    expect(listed[0]).toMatchObject({ eventId: 'e3', eventType: 'refund.issued', raw: lines[5] });
    const text = (await retour('quarantine', 'list', '--code', 'RETOUR_EVENT_NOT_JSON')).stdout;
    expect(text).toMatch(/^#\d+ {2}\S+ {2}RETOUR_EVENT_NOT_JSON {2}import:events\.ndjson\/0@5\n {4}.+\n {4}not json at all\n/);
    expect(text.match(/RETOUR_EVENT_NOT_JSON/g)).toHaveLength(1);
    await expect(retour('quarantine', 'list', '--code', 'NOPE')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--code must be one of RETOUR_EVENT_NOT_JSON') as unknown });
  });

  it('reads standard input with -', async () => {
    const child = spawn(process.execPath, [RETOUR, 'import', '-', '--json'], { cwd: REPO, env: env() });
    child.stdin.end(`${JSON.stringify(orderPlaced('stdin-1', 'o-stdin'))}\n`);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ topic: 'import:stdin', consumed: 1, stored: 1 });
  });

  it('backfills the Online Retail CSV through the mapping, idempotently', async () => {
    expect(existsSync(ONLINE_RETAIL_CSV), `${ONLINE_RETAIL_CSV} must exist (shared/ beside the clone)`).toBe(true);
    const first = JSON.parse((await retour('import', '--csv', ONLINE_RETAIL_CSV, '--mapping', MAPPING, '--json')).stdout);
    // 20,000 rows: 104 non-product lines and 48 stock write-offs skipped; 8,969 sale invoices and
    // 296 cancellation invoices (each a return.requested and a refund.issued) remain.
    expect(first).toMatchObject({
      topic: 'import:online-retail-sample-20k.csv',
      csv: { rows: 20_000, unmatchedRows: 0, skippedRows: { 'non-product-line': 104, 'stock-adjustment': 48 } },
      consumed: 9561,
      stored: 9561,
      duplicates: 0,
      quarantinedTotal: 0,
      storedByType: { 'order.placed': 8969, 'return.requested': 296, 'refund.issued': 296 },
    });
    const again = JSON.parse((await retour('import', '--csv', ONLINE_RETAIL_CSV, '--mapping', MAPPING, '--json')).stdout);
    expect(again).toMatchObject({ consumed: 9561, stored: 0, duplicates: 9561, quarantinedTotal: 0 });
    const text = (await retour('status')).stdout;
    expect(text).toMatch(/order\.placed\s+8971/); // + one order each from the NDJSON and stdin tests
  });

  it('stores an order re-sent under a new event id once: the same data is a duplicate, other data is quarantined', async () => {
    const resendDatabase = join(directory, 'resend.duckdb');
    const importInto = async (...args: string[]): Promise<Record<string, unknown>> =>
      JSON.parse((await run(process.execPath, [RETOUR, ...args], { cwd: REPO, env: { ...env(), RETOUR_DATABASE: resendDatabase } })).stdout) as Record<string, unknown>;
    const order = orderPlaced('o-1', 'ord_resent', [{ lineId: 'l1', quantity: 2, unitPrice: 1500 }]);
    const file = join(directory, 'resent.ndjson');
    writeFileSync(
      file,
      [order, { ...order, id: 'o-1-retry', time: '2026-03-02T10:00:00Z' }, orderPlaced('o-1-changed', 'ord_resent', [{ lineId: 'l1', quantity: 3, unitPrice: 1500 }])].map((event) => JSON.stringify(event)).join('\n'),
    );
    expect(await importInto('import', file, '--json')).toMatchObject({ consumed: 3, stored: 1, duplicates: 1, quarantinedTotal: 1, quarantined: { RETOUR_EVENT_ENTITY_CONFLICT: 1 } });
    const later = join(directory, 'resent-later.ndjson');
    writeFileSync(later, `${JSON.stringify({ ...order, id: 'o-1-replayed-from-cdc' })}\n`);
    expect(await importInto('import', later, '--json')).toMatchObject({ consumed: 1, stored: 0, duplicates: 1, quarantinedTotal: 0 });
    expect(await importInto('status', '--json')).toMatchObject({ eventsTotal: 1, duplicatesTotal: 2, quarantinedTotal: 1 });
    const listed = (await run(process.execPath, [RETOUR, 'quarantine', 'list', '--json'], { cwd: REPO, env: { ...env(), RETOUR_DATABASE: resendDatabase } })).stdout;
    expect(JSON.parse(listed.trim())).toMatchObject({
      errorCode: 'RETOUR_EVENT_ENTITY_CONFLICT',
      eventId: 'o-1-changed',
      message: '$.data.orderId: order "ord_resent" was already placed by event "o-1" earlier in this batch with other data (first difference at $.data.lines[0].quantity)',
    });
  });

  it('refuses a second writer on the same file with "in use by PID"', async () => {
    const lockedDatabase = join(directory, 'locked.duckdb');
    const lockedEnv = { ...env(), RETOUR_DATABASE: lockedDatabase };
    // The holder opens (creating) the database, then waits on its open standard input.
    const holder = spawn(process.execPath, [RETOUR, 'import', '-'], { cwd: REPO, env: lockedEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const deadline = Date.now() + 60_000;
      while (!existsSync(lockedDatabase)) {
        if (Date.now() > deadline) throw new Error('the first import never opened the database');
        await new Promise((wait) => setTimeout(wait, 100));
      }
      const second = await run(process.execPath, [RETOUR, 'import', join(directory, 'events.ndjson')], { cwd: REPO, env: lockedEnv }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain(`in use by PID ${holder.pid}`);
    } finally {
      holder.stdin.end();
      await new Promise((done) => holder.on('close', done));
    }
  });
});
