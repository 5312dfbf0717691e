import { FormatRegistry } from '@sinclair/typebox';

// RFC 3339 date-time with a mandatory zone (Z or ±hh:mm), optional fraction.
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** True for an RFC 3339 timestamp with zone that is a real calendar instant (no 31 February). */
export function isRfc3339DateTime(value: string): boolean {
  if (!RFC3339.test(value)) return false;
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) return false;
  // Date.parse rolls 2026-02-31 over to March; compare the calendar day to catch it.
  const day = Number(value.slice(8, 10));
  const offsetless = new Date(Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, day));
  return offsetless.getUTCDate() === day;
}

/** Registers the formats the contract uses with TypeBox's compiler (idempotent). */
export function registerContractFormats(): void {
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isRfc3339DateTime);
}
