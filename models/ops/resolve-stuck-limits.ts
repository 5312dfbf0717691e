/** The stages an open return can wait in, in the order it passes them. */
export const WAITING_STAGES = ['awaiting_receipt', 'awaiting_inspection', 'awaiting_refund', 'awaiting_close'] as const;
export type WaitingStage = (typeof WAITING_STAGES)[number];

/** Days a return may wait per stage before it counts as stuck, when RETOUR_OPS_STUCK_DAYS does not say. */
export const DEFAULT_STUCK_DAYS: Readonly<Record<WaitingStage, number>> = {
  awaiting_receipt: 21,
  awaiting_inspection: 5,
  awaiting_refund: 14,
  awaiting_close: 7,
};

/**
 * Turns the configured stuck limits (stage → days) into hours for every waiting stage; stages the
 * configuration does not name keep their default. An unknown stage name is a configuration mistake
 * (a typo would silently disable a limit), so it throws.
 * @example
 * resolveStuckLimits({ awaiting_refund: 10 }).awaiting_refund; // 240
 */
export function resolveStuckLimits(days: Readonly<Record<string, number>>): Record<WaitingStage, number> {
  for (const [stage, value] of Object.entries(days)) {
    if (!(WAITING_STAGES as readonly string[]).includes(stage)) {
      throw new RangeError(`stuck limit stage must be one of ${WAITING_STAGES.join(', ')}, got ${JSON.stringify(stage)}`);
    }
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`stuck limit of ${stage} must be a positive number of days, got ${value}`);
  }
  const hours = {} as Record<WaitingStage, number>;
  for (const stage of WAITING_STAGES) hours[stage] = (days[stage] ?? DEFAULT_STUCK_DAYS[stage]) * 24;
  return hours;
}
