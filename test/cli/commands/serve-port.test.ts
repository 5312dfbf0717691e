/** `retour serve` (and `npm start`) when its port is taken: one line saying so, non-zero exit, no stack. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const directory = mkdtempSync(join(tmpdir(), 'retour-serve-port-'));
// The port reserved for this suite's `retour serve` tests.
const port = 3410;
let blocker: Server;

beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen(port, '127.0.0.1', resolve);
  });
});
afterAll(async () => {
  await new Promise((resolve) => blocker.close(resolve));
  rmSync(directory, { recursive: true, force: true });
});

describe('retour serve on a port in use', () => {
  it('names the port and RETOUR_PORT and exits 1 without a stack', () => {
    const result = spawnSync(process.execPath, [join(root, 'bin/retour.mjs'), 'serve'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RETOUR_DATABASE: join(directory, 'retour.duckdb'), RETOUR_DATA_DIR: directory, RETOUR_HOST: '127.0.0.1', RETOUR_PORT: String(port), RETOUR_KAFKA_BROKERS: '', RETOUR_LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    expect(result.stderr).toContain(`retour serve: port ${port} on 127.0.0.1 is in use by another program; stop it or set RETOUR_PORT\n`);
    expect(result.stderr).not.toMatch(/unexpected error|EADDRINUSE|\n\s+at /);
    expect(result.status).toBe(1);
  });
});
