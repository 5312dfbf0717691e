import { describe, expect, it } from 'vitest';
import { localTimeToUtc } from '../../../ingest/csv/local-time-to-utc.ts';

const at = (year: number, month: number, day: number, hour: number, minute: number, zone: string): string =>
  localTimeToUtc({ year, month, day, hour, minute, second: 0 }, zone).toISOString();

// Reference: IANA tz database rules for Europe/London in 2011 — BST (UTC+1) from 2011-03-27 01:00 UTC
// to 2011-10-30 01:00 UTC; America/New_York is UTC-5 in winter.
describe('localTimeToUtc', () => {
  it('applies the zone offset in force at that local time', () => {
    expect(at(2011, 1, 1, 12, 0, 'Europe/London')).toBe('2011-01-01T12:00:00.000Z');
    expect(at(2011, 6, 1, 12, 0, 'Europe/London')).toBe('2011-06-01T11:00:00.000Z');
    expect(at(2011, 1, 1, 0, 0, 'America/New_York')).toBe('2011-01-01T05:00:00.000Z');
  });

  it('moves a time in the spring-forward gap forward, and takes the earlier of a repeated hour', () => {
    expect(at(2011, 3, 27, 1, 30, 'Europe/London')).toBe('2011-03-27T01:30:00.000Z');
    expect(at(2011, 3, 27, 2, 30, 'Europe/London')).toBe('2011-03-27T01:30:00.000Z');
    expect(at(2011, 10, 30, 1, 30, 'Europe/London')).toBe('2011-10-30T00:30:00.000Z');
    expect(at(2011, 10, 30, 2, 0, 'Europe/London')).toBe('2011-10-30T02:00:00.000Z');
  });

  it('refuses impossible calendar times and unknown zones', () => {
    expect(() => at(2011, 2, 30, 0, 0, 'Europe/London')).toThrow(RangeError);
    expect(() => at(2011, 1, 1, 0, 0, 'Mars/Olympus')).toThrow(/IANA time zone/);
  });
});
