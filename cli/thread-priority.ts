import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { BACKGROUND_THREAD_PRIORITIES } from '../config/config-variables.ts';

/**
 * How the threads other than the main one run in `retour serve`:
 * - `idle`: Linux's SCHED_IDLE policy — they run whenever a core is free, and a waking main thread
 *   takes the core from them at once;
 * - `nice`: nice value 10 — a smaller share of a contended core, but the main thread may still wait
 *   for the rest of their time slice when it wakes;
 * - `normal`: left alone.
 */
export type BackgroundThreadPriority = (typeof BACKGROUND_THREAD_PRIORITIES)[number];

export interface ThreadPriorityKeeper {
  /** Threads whose priority was lowered so far (a thread id the kernel reuses counts again). */
  readonly lowered: () => number;
  stop(): void;
}

/** Linux scheduling policy number of SCHED_IDLE (sched.h). */
const SCHED_IDLE = 5;
const NICE = 10;

/** Nice value and scheduling policy of a thread of this process, from /proc (undefined once it ended). */
function schedulingOf(thread: string): { nice: number; policy: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may hold spaces: field n is at n − 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { nice: Number(fields[16]), policy: Number(fields[38]) };
}

/**
 * Gives the main thread (the API's event loop) precedence over every other thread of the process —
 * DuckDB's workers, the ingest worker thread, the risk job's workers, libuv's pool, V8's helpers.
 * On a machine with fewer cores than runnable threads, the kernel otherwise lets a waking event loop
 * wait for a core behind a DuckDB write or the ingest worker's decoding, and requests wait with it
 * (docs/api.md § Background threads).
 *
 * Linux only: there scheduling belongs to each thread, threads inherit their creator's, and
 * lowering a thread's priority needs no privilege. Threads appear over time (DuckDB's and libuv's
 * start on first use, the risk job starts workers), so the list is read again every `rescanMs`.
 * SCHED_IDLE is set with util-linux's `chrt` (Node has no binding for sched_setscheduler); where
 * that fails, the threads get nice 19 instead and `onError` is told once. Elsewhere, or with
 * `normal`, it does nothing.
 */
export function keepMainThreadFirst(options: { priority: BackgroundThreadPriority; rescanMs?: number; onError?: (error: unknown) => void }): ThreadPriorityKeeper {
  if (!BACKGROUND_THREAD_PRIORITIES.includes(options.priority)) throw new RangeError(`priority must be one of ${BACKGROUND_THREAD_PRIORITIES.join(', ')}; got ${String(options.priority)}`);
  let lowered = 0;
  if (process.platform !== 'linux' || options.priority === 'normal') return { lowered: () => 0, stop: () => undefined };
  const mainThread = String(process.pid); // on Linux the main thread's id is the process id
  let reported = false;
  const report = (error: unknown): void => {
    if (!reported) options.onError?.(error);
    reported = true;
  };
  let idleUnavailable = options.priority !== 'idle';
  const settingIdle = new Set<string>();

  const lower = (thread: string): void => {
    const current = schedulingOf(thread);
    if (current === undefined) return; // ended since the listing
    if (idleUnavailable) {
      const nice = options.priority === 'idle' ? 19 : NICE;
      if (current.nice >= nice) return;
      try {
        setPriority(Number(thread), nice);
        lowered++;
      } catch (error: unknown) {
        if (schedulingOf(thread) !== undefined) report(error);
      }
      return;
    }
    // Checked on every scan rather than remembered: the kernel reuses the ids of threads that ended.
    if (current.policy === SCHED_IDLE || settingIdle.has(thread)) return;
    settingIdle.add(thread);
    execFile('chrt', ['--idle', '--pid', '0', thread], (error) => {
      settingIdle.delete(thread);
      if (error === null) {
        lowered++;
      } else if (schedulingOf(thread) !== undefined) {
        idleUnavailable = true;
        report(new Error(`cannot give background threads SCHED_IDLE with chrt (${error.message.trim()}); using nice 19 instead`, { cause: error }));
        lower(thread);
      }
    });
  };
  const scan = (): void => {
    let threads: string[];
    try {
      threads = readdirSync('/proc/self/task');
    } catch (error: unknown) {
      report(error);
      return;
    }
    for (const thread of threads) if (thread !== mainThread) lower(thread);
  };
  scan();
  const timer = setInterval(scan, options.rescanMs ?? 1000);
  timer.unref();
  return { lowered: () => lowered, stop: () => clearInterval(timer) };
}
