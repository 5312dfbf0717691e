/**
 * `retour import` with a file it cannot read: a one-line message and exit 2 (docs/ingest.md), never
 * an unhandled stream 'error' event or "unexpected error" with a stack.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-import-'));
const database = join(directory, 'retour.duckdb');
const mapping = join(root, 'examples/online-retail.mapping.json');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function retour(args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/retour.mjs'), 'import', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, RETOUR_DATABASE: database, RETOUR_LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
}

function expectUnreadable(args: string[], message: string): void {
  const result = retour(args);
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(/unexpected error|Unhandled|\n\s+at /);
  expect(result.status, result.stderr).toBe(2);
}

describe('retour import of an unreadable file', () => {
  it('a missing NDJSON file: exit 2, checked before the database is opened', () => {
    expectUnreadable([join(directory, 'nonexistent.ndjson')], `cannot read ${join(directory, 'nonexistent.ndjson')}: no such file`);
    expect(existsSync(database)).toBe(false);
  });

  it('a directory as NDJSON or as CSV, and a directory as the mapping: exit 2', () => {
    expectUnreadable([directory], `cannot read ${directory}: is a directory, not a file`);
    expectUnreadable(['--csv', directory, '--mapping', mapping], `cannot read ${directory}: is a directory, not a file`);
    const csv = join(directory, 'orders.csv');
    writeFileSync(csv, 'InvoiceNo\n1\n');
    expectUnreadable(['--csv', csv, '--mapping', directory], `cannot read ${directory}: is a directory, not a file`);
    expectUnreadable(['--csv', csv, '--mapping', join(directory, 'none.json')], 'no such file');
  });

  it('a gzip file or a ZIP archive (an .xlsx workbook): exit 2 saying what it is, nothing imported', () => {
    // A gzip file was read as lines of binary, all quarantined, exit 0; an .xlsx as a CSV "not valid UTF-8".
    const gzip = join(directory, 'events.ndjson.gz');
    writeFileSync(gzip, gzipSync('{"specversion":"1.0"}\n'));
    expectUnreadable([gzip], `${gzip} is gzip-compressed: decompress it first, e.g. gunzip -c ${gzip} | retour import -`);
    expectUnreadable(['--csv', gzip, '--mapping', mapping], `gunzip -c ${gzip} | retour import --csv - --mapping MAPPING.json`);
    const workbook = join(directory, 'Online Retail.xlsx');
    writeFileSync(workbook, Buffer.from('PK\x03\x04\x14\x00', 'latin1'));
    expectUnreadable(['--csv', workbook, '--mapping', mapping], `${workbook} is a ZIP archive (an .xlsx workbook?): export the sheet as CSV first`);
    expect(existsSync(database)).toBe(false);
  });

  it('a UTF-16 NDJSON file (with or without byte order mark): exit 2 saying how to convert it, nothing imported', () => {
    // It was read as lines of "not valid UTF-8 JSON", every line quarantined, exit 0.
    const line = '{"specversion":"1.0"}\r\n';
    for (const [name, bytes] of [
      ['powershell.ndjson', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(line, 'utf16le')])],
      ['big-endian.ndjson', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(line, 'utf16le').swap16()])],
      ['no-bom.ndjson', Buffer.from(line, 'utf16le')],
    ] as const) {
      const path = join(directory, name);
      writeFileSync(path, bytes);
      expectUnreadable([path], `${path} is UTF-16 text, and NDJSON is UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8 ${path} | retour import -`);
    }
    expect(existsSync(database)).toBe(false);
  });

  it('a JSON array or pretty-printed JSON instead of NDJSON: exit 2 with the jq command that converts it, nothing imported', () => {
    // A one-line array was one oversize message, a pretty-printed file lines of broken JSON: all quarantined, exit 0.
    const event = { specversion: '1.0', id: 'e1', source: 's', type: 'order.placed', time: '2026-03-01T10:00:00Z', data: {} };
    const cases = [
      ['array.json', JSON.stringify([event, event]), `jq -c '.[]'`, 'a JSON array'],
      ['pretty-array.json', `\uFEFF\n  ${JSON.stringify([event], null, 2)}\n`, `jq -c '.[]'`, 'a JSON array'],
      ['pretty.json', `${JSON.stringify(event, null, 2)}\r\n${JSON.stringify(event, null, 2)}\n`, `jq -c '.'`, 'pretty-printed JSON'],
    ] as const;
    for (const [name, text, jq, what] of cases) {
      const path = join(directory, name);
      writeFileSync(path, text);
      expectUnreadable([path], `${path} holds ${what}, and NDJSON is one event per line: convert it first, e.g. ${jq} ${path} | retour import -`);
    }
    expect(existsSync(database)).toBe(false);
  });

  // /proc/self/mem opens as a regular file and fails on read (EIO): a read error in mid-stream.
  it.skipIf(process.platform !== 'linux')('a read error while streaming: exit 2 with a message', () => {
    expectUnreadable(['/proc/self/mem'], 'cannot read /proc/self/mem: input/output error; the import stopped');
  });
});
