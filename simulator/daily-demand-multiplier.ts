import { WEEKDAY_DEMAND } from './simulation-parameters.ts';

const DAY_MS = 86_400_000;

/** Black Friday (the day after the fourth Thursday of November) of a year, as a UTC midnight. */
export function blackFriday(year: number): number {
  const firstOfNovember = new Date(Date.UTC(year, 10, 1));
  const firstThursday = 1 + ((4 - firstOfNovember.getUTCDay() + 7) % 7);
  return Date.UTC(year, 10, firstThursday + 22);
}

/**
 * Relative order volume of a UTC day: weekday pattern × a smooth yearly cycle (low in early summer,
 * high in December) × peaks for Black Friday to Cyber Monday, the pre-Christmas weeks and January sales.
 * The shape is a judgement call guided by retail calendars; docs/simulator.md says so.
 * @example
 * dailyDemandMultiplier(Date.UTC(2025, 10, 28)); // Black Friday 2025: about 2.4
 */
export function dailyDemandMultiplier(dayStartMs: number): number {
  if (!Number.isFinite(dayStartMs)) throw new RangeError(`day start must be a finite time in ms, got ${dayStartMs}`);
  const date = new Date(dayStartMs);
  const year = date.getUTCFullYear();
  const dayOfYear = Math.floor((dayStartMs - Date.UTC(year, 0, 1)) / DAY_MS);
  let multiplier = WEEKDAY_DEMAND[date.getUTCDay()]! * (1 + 0.12 * Math.cos((2 * Math.PI * (dayOfYear - 350)) / 365));
  const fromBlackFriday = Math.round((dayStartMs - blackFriday(year)) / DAY_MS);
  if (fromBlackFriday >= -1 && fromBlackFriday <= 3) multiplier *= fromBlackFriday === 0 ? 2.6 : 1.8;
  const month = date.getUTCMonth();
  const dayOfMonth = date.getUTCDate();
  if (month === 11 && dayOfMonth <= 18) multiplier *= 1.25;
  if (month === 11 && dayOfMonth >= 24 && dayOfMonth <= 26) multiplier *= 0.6;
  if (month === 0 && dayOfMonth >= 2 && dayOfMonth <= 10) multiplier *= 1.2;
  return multiplier;
}
