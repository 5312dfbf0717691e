/**
 * Holds the customer risk snapshots the hot routes read (GET /v1/customers/{id}/risk, POST
 * /v1/risk/score). The owner of the process replaces the whole Map after each risk run, so a request
 * sees either the old results or the new ones, never a mix.
 */
import type { CustomerRiskSnapshot } from '../domain/risk/customer-risk-snapshot.ts';

export interface RiskSnapshotHolder {
  get(): ReadonlyMap<string, CustomerRiskSnapshot>;
  replace(snapshots: ReadonlyMap<string, CustomerRiskSnapshot>): void;
  /** When the current Map was installed (null: never). */
  loadedAt(): Date | null;
  /**
   * A decision closed this flag (through the API, or one ingest stored from another publisher): until
   * a risk run's snapshots stop naming it, it is not shown as open.
   */
  noteFlagClosed(flag: { flagId: string; customerId: string }): void;
  /** The snapshot's open flag, unless it was decided since the snapshot was loaded. */
  openFlagIdOf(snapshot: CustomerRiskSnapshot): string | null;
}

/**
 * @example
 * const holder = createRiskSnapshotHolder();
 * holder.replace(await loadRiskSnapshots(connection)); // after each risk job
 */
export function createRiskSnapshotHolder(initial: ReadonlyMap<string, CustomerRiskSnapshot> = new Map(), now: () => Date = () => new Date()): RiskSnapshotHolder {
  let current = initial;
  let loaded: Date | null = initial.size > 0 ? now() : null;
  // flag id → customer id of the flags decided while a snapshot may still name them as open; a few
  // per review, not a copy of the Map (which holds every scored customer).
  const closedFlags = new Map<string, string>();
  return {
    get: () => current,
    replace(snapshots) {
      current = snapshots;
      loaded = now();
      // A risk run that read the flags before the decision still names it: keep hiding it until one does not.
      for (const [flagId, customerId] of closedFlags) if (snapshots.get(customerId)?.openFlagId !== flagId) closedFlags.delete(flagId);
    },
    loadedAt: () => loaded,
    noteFlagClosed(flag) {
      closedFlags.set(flag.flagId, flag.customerId);
    },
    openFlagIdOf(snapshot) {
      return snapshot.openFlagId !== null && closedFlags.has(snapshot.openFlagId) ? null : snapshot.openFlagId;
    },
  };
}
