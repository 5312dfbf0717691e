/**
 * What an API sharing the process with ingest feels, counted per stall rather than as percentiles:
 * how many times the event loop was held for ≥ 5/10/20/50/100 ms, and the garbage collector's pauses
 * by kind (perf_hooks 'gc' entries). monitorEventLoopDelay's p99 says how often the loop is late; these
 * counts say how long each synchronous stretch was and how many there were, and how much of it was GC.
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export const STALL_THRESHOLDS_MS = [5, 10, 20, 50, 100] as const;

export interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
  /** Pauses of at least 5 ms. */
  atLeast5Ms: number;
}

export interface StallReport {
  seconds: number;
  /** Stalls (one timer tick late by at least the threshold) per threshold in ms, e.g. { '5': 12, '10': 3, … }. */
  stallsAtLeastMs: Record<string, number>;
  /** Sum of the time the loop was late by ≥ 5 ms. */
  stalledMs: number;
  longestStallMs: number;
  gc: { minor: GcPauses; major: GcPauses; incremental: GcPauses; weakcb: GcPauses };
}

export interface StallRecorder {
  /** Stops recording and returns the counts since start. */
  stop(): StallReport;
}

const GC_KINDS: Record<number, keyof StallReport['gc']> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * Starts a 1 ms interval timer (each tick's lateness beyond 1 ms is one stall) and a GC observer.
 *
 * @example
 * const recorder = startStallRecorder();
 * await work();
 * console.log(recorder.stop().stallsAtLeastMs['20']);
 */
export function startStallRecorder(): StallRecorder {
  const startedAt = performance.now();
  const stalls = STALL_THRESHOLDS_MS.map(() => 0);
  let stalledMs = 0;
  let longestStallMs = 0;
  let last = startedAt;
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - 1;
    last = now;
    if (late < STALL_THRESHOLDS_MS[0]) return;
    stalledMs += late;
    if (late > longestStallMs) longestStallMs = late;
    for (let index = 0; index < STALL_THRESHOLDS_MS.length; index++) if (late >= STALL_THRESHOLDS_MS[index]!) stalls[index]!++;
  }, 1);
  const empty = (): GcPauses => ({ count: 0, totalMs: 0, maxMs: 0, atLeast5Ms: 0 });
  const gc: StallReport['gc'] = { minor: empty(), major: empty(), incremental: empty(), weakcb: empty() };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1];
      if (kind === undefined) continue;
      const pauses = gc[kind];
      pauses.count++;
      pauses.totalMs += entry.duration;
      if (entry.duration > pauses.maxMs) pauses.maxMs = entry.duration;
      if (entry.duration >= 5) pauses.atLeast5Ms++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      clearInterval(timer);
      observer.disconnect();
      for (const pauses of Object.values(gc)) {
        pauses.totalMs = round1(pauses.totalMs);
        pauses.maxMs = round1(pauses.maxMs);
      }
      return {
        seconds: round1((performance.now() - startedAt) / 1000),
        stallsAtLeastMs: Object.fromEntries(STALL_THRESHOLDS_MS.map((threshold, index) => [String(threshold), stalls[index]!])),
        stalledMs: Math.round(stalledMs),
        longestStallMs: round1(longestStallMs),
        gc,
      };
    },
  };
}
