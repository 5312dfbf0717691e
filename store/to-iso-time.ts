/** A DuckDB TIMESTAMPTZ/DATE read by getRowObjectsJS (a Date) as RFC 3339 UTC text; null stays null. */
export function toIsoTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** A DuckDB DATE as `YYYY-MM-DD`. */
export function toIsoDate(value: unknown): string | null {
  const text = toIsoTime(value);
  return text === null ? null : text.slice(0, 10);
}
