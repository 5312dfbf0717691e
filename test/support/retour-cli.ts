import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const RETOUR_BIN = join(REPO_ROOT, 'bin', 'retour.mjs');

/** Runs `retour ARGS` to completion (real CLI, real process) and fails loudly on a non-zero exit. */
export function runRetour(args: string[], env: Record<string, string>, options: { allowFailure?: boolean } = {}) {
  const result = spawnSync(process.execPath, [RETOUR_BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, RETOUR_LOG_LEVEL: 'warn', ...env },
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0 && options.allowFailure !== true) {
    throw new Error(`retour ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-2000)}`);
  }
  return result;
}

/** Starts `retour serve` on a free port and resolves with its base URL once it listens. */
export async function startRetourServe(
  args: string[],
  env: Record<string, string>,
): Promise<{ url: string; process: ChildProcess; stderr: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [RETOUR_BIN, 'serve', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, RETOUR_LOG_LEVEL: 'warn', RETOUR_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`retour serve did not start within 60 s: ${stderr.slice(-2000)}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`retour serve exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
  let stopping = false;
  child.on('exit', (code) => {
    // A server that dies under a test would otherwise show only as "connection refused".
    if (!stopping) console.error(`retour serve exited unexpectedly (${code}): ${stderr.slice(-3000)}`);
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      stopping = true;
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return { url, process: child, stderr: () => stderr, stop };
}
