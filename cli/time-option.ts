import { RetourError } from '../domain/errors/retour-error.ts';
import { isRfc3339DateTime } from '../domain/events/date-time-format.ts';

/**
 * The instant an option such as `--now` names, which must be an RFC 3339 time with zone: `new Date`
 * alone took "0" for 2000-01-01, "May 3" for 2001-05-03 and 2025-02-30 for 2 March, and ran the jobs
 * as of that instant without a word.
 */
export function parseTimeOption(name: string, raw: string): Date {
  if (!isRfc3339DateTime(raw)) {
    throw new RetourError('RETOUR_USAGE', `--${name} must be an RFC 3339 time with zone, e.g. 2025-05-01T00:00:00Z; got ${JSON.stringify(raw)}`);
  }
  return new Date(raw);
}
