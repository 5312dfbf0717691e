/** Delivery-day ranges [start, end) as 'YYYY-MM-DD' UTC days. */
export interface DetectionWindowDays {
  /** The tested cohorts: the newest 7 delivery days whose detection horizon has fully passed. */
  currentStart: string;
  currentEnd: string;
  /** The trailing baseline: the `baselineWeeks` weeks of delivery days just before. */
  baselineStart: string;
  baselineEnd: string;
}

export interface DetectionWindowsOptions {
  /** The run's time. */
  now: Date;
  /** Returns are counted within this many days of delivery; >= 1. */
  detectionDays: number;
  /** Weeks in the baseline; >= 1. */
  baselineWeeks: number;
}

const DAY_MS = 86_400_000;

/**
 * Which cohorts a run compares, so that both sides have the same age: a unit delivered on day d has
 * had its full `detectionDays` by midnight of d + 1 + detectionDays, so the newest complete delivery
 * day is today - detectionDays - 1. The current window is the 7 days ending there (every weekday
 * once, so weekly seasonality cancels), the baseline the whole weeks before it. Every count on both
 * sides is "returned within detectionDays of delivery", never a partly observed cohort.
 *
 * @example
 * detectionWindows({ now: new Date('2026-03-20T10:00:00Z'), detectionDays: 7, baselineWeeks: 8 });
 * // { currentStart: '2026-03-06', currentEnd: '2026-03-13', baselineStart: '2026-01-09', baselineEnd: '2026-03-06' }
 */
export function detectionWindows(options: DetectionWindowsOptions): DetectionWindowDays {
  const { now, detectionDays, baselineWeeks } = options;
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid date');
  if (!(Number.isInteger(detectionDays) && detectionDays >= 1)) throw new RangeError(`detectionDays must be an integer >= 1, got ${detectionDays}`);
  if (!(Number.isInteger(baselineWeeks) && baselineWeeks >= 1)) throw new RangeError(`baselineWeeks must be an integer >= 1, got ${baselineWeeks}`);
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const currentEnd = today - detectionDays * DAY_MS;
  const currentStart = currentEnd - 7 * DAY_MS;
  return {
    currentStart: isoDay(currentStart),
    currentEnd: isoDay(currentEnd),
    baselineStart: isoDay(currentStart - baselineWeeks * 7 * DAY_MS),
    baselineEnd: isoDay(currentStart),
  };
}

/**
 * The Monday of the ISO week containing the time (UTC), as 'YYYY-MM-DD'.
 * @example
 * isoWeekMonday(new Date('2026-03-22T23:00:00Z')); // '2026-03-16' (a Sunday belongs to the week before)
 */
export function isoWeekMonday(time: Date): string {
  if (Number.isNaN(time.getTime())) throw new RangeError('time must be a valid date');
  const day = Math.floor(time.getTime() / DAY_MS) * DAY_MS;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return isoDay(day - weekday * DAY_MS);
}

function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}
