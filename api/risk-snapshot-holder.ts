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
}

/**
 * @example
 * const holder = createRiskSnapshotHolder();
 * holder.replace(await loadRiskSnapshots(connection)); // after each risk job
 */
export function createRiskSnapshotHolder(initial: ReadonlyMap<string, CustomerRiskSnapshot> = new Map(), now: () => Date = () => new Date()): RiskSnapshotHolder {
  let current = initial;
  let loaded: Date | null = initial.size > 0 ? now() : null;
  return {
    get: () => current,
    replace(snapshots) {
      current = snapshots;
      loaded = now();
    },
    loadedAt: () => loaded,
  };
}
