import { readFileSync } from 'node:fs';

/** CPU time of this process's main thread (the event loop), split into user and kernel time. */
export interface MainThreadCpu {
  userSeconds: number;
  kernelSeconds: number;
}

/**
 * The main thread's CPU time since it started: the total from /proc/self/task/<pid>/schedstat
 * (nanoseconds, precise), split in the ratio of utime to stime from …/stat (clock ticks, coarse).
 * The kernel share is what the JavaScript profile cannot apportion: V8's sampling signal is handled
 * when a thread returns from a system call, so a socket-heavy loop's samples pile up on `writev`.
 * Undefined where /proc is not available.
 */
export function mainThreadCpu(): MainThreadCpu | undefined {
  try {
    const totalSeconds = Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(' ')[0]) / 1e9;
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const kernelTicks = Number(fields[12]);
    const ticks = userTicks + kernelTicks;
    if (!Number.isFinite(totalSeconds) || !Number.isFinite(ticks)) return undefined;
    const kernelShare = ticks === 0 ? 0 : kernelTicks / ticks;
    return { userSeconds: totalSeconds * (1 - kernelShare), kernelSeconds: totalSeconds * kernelShare };
  } catch {
    return undefined;
  }
}

/** The difference of two readings, or undefined when either is missing. */
export function mainThreadCpuSince(start: MainThreadCpu | undefined, end: MainThreadCpu | undefined): MainThreadCpu | undefined {
  if (start === undefined || end === undefined) return undefined;
  return { userSeconds: end.userSeconds - start.userSeconds, kernelSeconds: end.kernelSeconds - start.kernelSeconds };
}
