import { readFileSync } from 'node:fs';

/**
 * Seconds this process's main thread has spent runnable but not running — waiting for a CPU core —
 * since it started: the second field of Linux's /proc/<pid>/task/<tid>/schedstat (nanoseconds).
 * A request that arrives while the event loop waits for a core waits with it, so this is the part
 * of the API's latency that no JavaScript profile shows (docs/api.md § Background threads).
 * Undefined where the kernel does not provide it (not Linux, or schedstats unavailable).
 */
export function mainThreadCoreWaitSeconds(): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8');
  } catch {
    return undefined;
  }
  const waitedNanoseconds = Number(text.trim().split(' ')[1]);
  return Number.isFinite(waitedNanoseconds) ? waitedNanoseconds / 1e9 : undefined;
}
