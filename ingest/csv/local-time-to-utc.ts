/**
 * A wall-clock time in a named IANA zone → the UTC instant, using the platform's time-zone data
 * (Intl). A time that does not exist (spring-forward gap) moves forward by the gap; a time that
 * exists twice (fall-back) takes the earlier instant — the 'compatible' choice of TC39 Temporal.
 *
 * @example
 * localTimeToUtc({ year: 2011, month: 6, day: 1, hour: 12, minute: 0, second: 0 }, 'Europe/London').toISOString();
 * // '2011-06-01T11:00:00.000Z' (BST = UTC+1)
 */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error: unknown) {
      throw new RangeError(`zone must be an IANA time zone such as Europe/London, got ${JSON.stringify(zone)}`, { cause: error });
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Offset of `zone` from UTC at `instant`, in milliseconds (positive east of Greenwich). */
function zoneOffset(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

export function localTimeToUtc(local: LocalDateTime, zone: string): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  const check = new Date(wall);
  if (check.getUTCMonth() !== local.month - 1 || check.getUTCDate() !== local.day || local.hour > 23 || local.minute > 59 || local.second > 59) {
    throw new RangeError(`local time ${JSON.stringify(local)} is not a real calendar time`);
  }
  // Two passes: the offset at the first guess may differ from the offset at the answer near a DST change.
  const firstGuess = wall - zoneOffset(wall, zone);
  const offset = zoneOffset(firstGuess, zone);
  let instant = wall - offset;
  const earlier = wall - zoneOffset(instant - 3_600_000, zone);
  if (earlier < instant && wall - zoneOffset(earlier, zone) === earlier) instant = earlier;
  return new Date(instant);
}
