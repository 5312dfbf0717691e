export type QualityAlertStatus = 'new' | 'ongoing' | 'resolved';

export interface AlertTransitionInput {
  /** The product's open alert for this metric (status new or ongoing), if any. */
  open: { status: 'new' | 'ongoing'; firstDetectedAt: Date } | undefined;
  /** The product had enough units in this run to be evaluated at all. */
  tested: boolean;
  /** Flagged in this run: significant after Benjamini–Hochberg and above the effect-size threshold. */
  flagged: boolean;
  /** For an open alert: the current window is still significantly worse than the alert's frozen baseline. */
  stillElevated: boolean;
  /** The run's time. */
  now: Date;
}

export type AlertTransition =
  | { action: 'none' }
  | { action: 'open' }
  | { action: 'keep' }
  | { action: 'update'; status: 'new' | 'ongoing' }
  | { action: 'resolve' };

const DAY_MS = 86_400_000;

/**
 * The alert lifecycle new → ongoing → resolved, one open alert per product and metric:
 * - no open alert: a flagged product opens one ('new');
 * - an open alert whose product cannot be evaluated (too few units this run) is kept unchanged —
 *   a quiet week is not evidence that the problem went away;
 * - an open alert still elevated against the baseline frozen at its detection stays 'new' on the
 *   day it was detected (so re-running a job is idempotent) and is 'ongoing' on later days; the
 *   frozen baseline matters because the trailing baseline soon absorbs the episode itself;
 * - otherwise it is resolved. A later flag opens a new alert.
 *
 * @example
 * decideAlertTransition({ open: undefined, tested: true, flagged: true, stillElevated: false, now: new Date() }); // { action: 'open' }
 */
export function decideAlertTransition(input: AlertTransitionInput): AlertTransition {
  if (Number.isNaN(input.now.getTime())) throw new RangeError('now must be a valid date');
  const { open } = input;
  if (open === undefined) return input.flagged ? { action: 'open' } : { action: 'none' };
  if (!input.tested) return { action: 'keep' };
  if (input.stillElevated || input.flagged) {
    const sameDay = Math.floor(open.firstDetectedAt.getTime() / DAY_MS) === Math.floor(input.now.getTime() / DAY_MS);
    return { action: 'update', status: sameDay ? 'new' : 'ongoing' };
  }
  return { action: 'resolve' };
}
