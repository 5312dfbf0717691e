import { FormatRegistry } from '@sinclair/typebox';

// RFC 3339 date-time with a mandatory zone (Z or ±hh:mm), optional fraction.
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

// The common spelling (upper-case T and Z, seconds below 60, no or a millisecond fraction, year from
// 1000): a calendar check by arithmetic gives the same answer as the Date round trip below, without
// its cost — two timestamps per event, measured as ~1.6 µs per event on the ingest hot path.
const COMMON = /^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{3})?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1]!;
}

/** True for an RFC 3339 timestamp with zone that is a real calendar instant (no 31 February). */
export function isRfc3339DateTime(value: string): boolean {
  if (COMMON.test(value)) {
    return Number(value.slice(8, 10)) <= daysInMonth(Number(value.slice(0, 4)), Number(value.slice(5, 7)));
  }
  if (!RFC3339.test(value)) return false;
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) return false;
  // Date.parse rolls 2026-02-31 over to March; compare the calendar day to catch it.
  const day = Number(value.slice(8, 10));
  const offsetless = new Date(Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, day));
  return offsetless.getUTCDate() === day;
}

/**
 * The instants an event may be about: from 1990-01-01T00:00:00Z (inclusive) to 2100-01-01T00:00:00Z
 * (exclusive). Outside them a timestamp is a sentinel or a bug (0001-01-01, the Unix epoch
 * 1970-01-01, Excel's 1899-12-30, 9999-12-31), not a fact: stored, it would found cohorts, windows and
 * account ages decades wide. Fixed, not relative to the arrival time, so that a file or a topic read
 * again years later is decided the same way (docs/events.md § Timestamps).
 */
export const PLAUSIBLE_TIME_RANGE = { from: '1990-01-01T00:00:00Z', before: '2100-01-01T00:00:00Z' } as const;
const PLAUSIBLE_FROM_MS = Date.parse(PLAUSIBLE_TIME_RANGE.from);
const PLAUSIBLE_BEFORE_MS = Date.parse(PLAUSIBLE_TIME_RANGE.before);
const PLAUSIBLE_FROM_YEAR = Number(PLAUSIBLE_TIME_RANGE.from.slice(0, 4));
const PLAUSIBLE_BEFORE_YEAR = Number(PLAUSIBLE_TIME_RANGE.before.slice(0, 4));

/**
 * True when a valid contract timestamp (isRfc3339DateTime) is an instant within PLAUSIBLE_TIME_RANGE.
 * @example
 * isPlausibleInstant('2026-11-20T10:15:00Z'); // true
 * isPlausibleInstant('0001-01-01T00:00:00Z'); // false
 */
export function isPlausibleInstant(value: string): boolean {
  const year = Number(value.slice(0, 4));
  // A year strictly inside the range is inside whatever its offset (at most ±23:59): no parsing.
  if (year > PLAUSIBLE_FROM_YEAR && year < PLAUSIBLE_BEFORE_YEAR - 1) return true;
  const millis = Date.parse(value);
  return millis >= PLAUSIBLE_FROM_MS && millis < PLAUSIBLE_BEFORE_MS;
}

/** The rule a timestamp outside PLAUSIBLE_TIME_RANGE breaks, as a rejection names it. */
export const PLAUSIBLE_TIME_RULE = `must be an instant from ${PLAUSIBLE_TIME_RANGE.from} to before ${PLAUSIBLE_TIME_RANGE.before}`;

/**
 * Why `value` is not a timestamp the contract accepts, as the rule a rejection names.
 * @example
 * dateTimeRule('2026-11-20T10:15:00'); // 'must be an RFC 3339 date-time with a zone (Z or ±hh:mm), e.g. 2026-11-20T10:15:00Z'
 */
export function dateTimeRule(value: unknown): string {
  const rule = 'must be an RFC 3339 date-time with a zone (Z or ±hh:mm), e.g. 2026-11-20T10:15:00Z';
  if (typeof value !== 'string') return rule;
  // Leap seconds are valid RFC 3339, so say why this one is refused.
  if (RFC3339.test(value) && /[Tt ]\d\d:\d\d:60/.test(value)) return `${rule}; a leap second (:60) cannot be stored`;
  if (RFC3339.test(value)) return `${rule}, on a day the month has`;
  if (/^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?$/.test(value)) return `${rule}; this one has no zone`;
  return rule;
}

/** Registers the formats the contract uses with TypeBox's compiler (idempotent). */
export function registerContractFormats(): void {
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isRfc3339DateTime);
}
