/** The delivery days one run's fault scan reads, as 'YYYY-MM-DD' UTC days; ranges are [start, end). */
export interface FaultScanDays {
  /** The recent days the windows are cut from: the newest `longest window` complete delivery days. */
  scanStart: string;
  scanEnd: string;
  /** Midnight (UTC) of each scan day, oldest first; a cohort's age is measured from it. */
  dayStarts: Date[];
  /** The trailing baseline: `baselineWeeks` weeks ending `baselineLagDays` before the run's day. */
  baselineStart: string;
  baselineEnd: string;
}

export interface FaultScanDaysOptions {
  /** The run's time. */
  now: Date;
  /** Window lengths in days; each >= 1. */
  windowDays: readonly number[];
  /** Days between the baseline's end and the run's day; at least the longest window and detectionDays + 1. */
  baselineLagDays: number;
  /** Weeks in the baseline; >= 1. */
  baselineWeeks: number;
  /** Returns are counted within this many days of delivery; >= 1. */
  detectionDays: number;
}

const DAY_MS = 86_400_000;

/**
 * Which cohorts a run's fault scan compares. The windows end with yesterday's deliveries — the
 * newest *whole* day; today's is still being delivered — and include cohorts too young for their
 * detection horizon to have passed (they count by the share of their returns that had time to
 * arrive). The baseline ends `baselineLagDays` before today, which must leave every baseline cohort
 * complete (lag >= detectionDays + 1) and keep it out of every window (lag >= longest window); a lag
 * longer than the window also keeps an episode that began just before the window out of the baseline.
 *
 * @example
 * faultScanDays({ now: new Date('2026-03-20T10:00:00Z'), windowDays: [7], baselineLagDays: 14, baselineWeeks: 8, detectionDays: 7 });
 * // { scanStart: '2026-03-13', scanEnd: '2026-03-20', dayStarts: [2026-03-13T00:00Z … 2026-03-19T00:00Z],
 * //   baselineStart: '2026-01-09', baselineEnd: '2026-03-06' }
 */
export function faultScanDays(options: FaultScanDaysOptions): FaultScanDays {
  const { now, windowDays, baselineLagDays, baselineWeeks, detectionDays } = options;
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid date');
  if (windowDays.length === 0 || !windowDays.every((days) => Number.isInteger(days) && days >= 1)) {
    throw new RangeError(`windowDays must be one or more integers >= 1, got [${windowDays.join(', ')}]`);
  }
  if (!(Number.isInteger(detectionDays) && detectionDays >= 1)) throw new RangeError(`detectionDays must be an integer >= 1, got ${detectionDays}`);
  if (!(Number.isInteger(baselineWeeks) && baselineWeeks >= 1)) throw new RangeError(`baselineWeeks must be an integer >= 1, got ${baselineWeeks}`);
  const longest = Math.max(...windowDays);
  if (!(Number.isInteger(baselineLagDays) && baselineLagDays >= longest && baselineLagDays >= detectionDays + 1)) {
    throw new RangeError(`baselineLagDays must be an integer >= the longest window (${longest}) and >= detectionDays + 1 (${detectionDays + 1}), got ${baselineLagDays}`);
  }
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const scanStart = today - longest * DAY_MS;
  const baselineEnd = today - baselineLagDays * DAY_MS;
  return {
    scanStart: isoDay(scanStart),
    scanEnd: isoDay(today),
    dayStarts: Array.from({ length: longest }, (_, index) => new Date(scanStart + index * DAY_MS)),
    baselineStart: isoDay(baselineEnd - baselineWeeks * 7 * DAY_MS),
    baselineEnd: isoDay(baselineEnd),
  };
}

function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}
