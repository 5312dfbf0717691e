import type { DuckDBConnection } from '@duckdb/node-api';
import { decideFlagAction, DEFAULT_FLAG_POLICY, type FlagPolicy } from '../../models/risk/decide-flag-action.ts';
import { applyFlagActions, readFlagCandidates, type FlagActionRow } from '../../store/risk/risk-flags.ts';

export interface FlagUpdateSummary {
  readonly opened: number;
  readonly updated: number;
  readonly expired: number;
  readonly keptClosed: number;
}

/**
 * Brings `risk_flags` in line with the latest `customer_scores` (see decideFlagAction): opens a flag
 * for a review/high customer without one (at most one open flag per customer), refreshes open flags,
 * expires open flags whose customer fell back to low, and leaves decided customers alone unless new
 * evidence arrived or the score rose materially under the same model. Unscored customers' flags are not touched.
 */
export async function updateRiskFlags(connection: DuckDBConnection, now: Date, policy: FlagPolicy = DEFAULT_FLAG_POLICY): Promise<FlagUpdateSummary> {
  const counts = { open: 0, update: 0, expire: 0, none: 0 };
  const actions: FlagActionRow[] = [];
  for (const candidate of await readFlagCandidates(connection)) {
    const { action } = decideFlagAction(candidate, candidate.openFlag, candidate.lastDecidedFlag, policy);
    counts[action]++;
    if (action !== 'none') actions.push({ customerId: candidate.customerId, flagId: candidate.openFlag?.flagId ?? null, action });
  }
  await applyFlagActions(connection, actions, now);
  return { opened: counts.open, updated: counts.update, expired: counts.expire, keptClosed: counts.none };
}
