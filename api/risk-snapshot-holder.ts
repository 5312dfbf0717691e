/**
 * Holds the customer risk snapshots the hot routes read (GET /v1/customers/{id}/risk, POST
 * /v1/risk/score). The owner of the process replaces the whole Map after each risk run, so a request
 * sees either the old results or the new ones, never a mix.
 */
import type { CustomerReview, CustomerRiskSnapshot } from '../domain/risk/customer-risk-snapshot.ts';

export interface RiskSnapshotHolder {
  get(): ReadonlyMap<string, CustomerRiskSnapshot>;
  replace(snapshots: ReadonlyMap<string, CustomerRiskSnapshot>): void;
  /** When the current Map was installed (null: never). */
  loadedAt(): Date | null;
  /**
   * A decision closed this flag (through the API, or one ingest stored from another publisher): until
   * a risk run's snapshots stop naming it, it is not shown as open.
   */
  noteFlagClosed(flag: { flagId: string; customerId: string; review?: { outcome: CustomerReview['outcome']; decidedAt: string } }): void;
  /** The snapshot's open flag, unless it was decided since the snapshot was loaded. */
  openFlagIdOf(snapshot: CustomerRiskSnapshot): string | null;
  /**
   * The snapshot with the latest review: one made through this API since the snapshot was loaded
   * replaces the snapshot's (the evidence count then is the snapshot's). The snapshot itself when none.
   */
  withLatestReview(snapshot: CustomerRiskSnapshot | undefined): CustomerRiskSnapshot | undefined;
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
  // customer id → the latest review made through this API while the snapshots may predate it.
  const recentReviews = new Map<string, CustomerReview>();
  return {
    get: () => current,
    replace(snapshots) {
      current = snapshots;
      loaded = now();
      // A risk run that read the flags before the decision still names it: keep hiding it until one does not.
      for (const [flagId, customerId] of closedFlags) if (snapshots.get(customerId)?.openFlagId !== flagId) closedFlags.delete(flagId);
      // …and a review until the snapshots carry it (or a later one).
      for (const [customerId, review] of recentReviews) {
        const loadedReview = snapshots.get(customerId)?.lastReview;
        if (loadedReview !== undefined && loadedReview !== null && loadedReview.outcome === review.outcome && loadedReview.decidedAt >= review.decidedAt) recentReviews.delete(customerId);
      }
    },
    loadedAt: () => loaded,
    noteFlagClosed(flag) {
      closedFlags.set(flag.flagId, flag.customerId);
      if (flag.review !== undefined) {
        const evidenceCount = current.get(flag.customerId)?.evidenceCount ?? 0;
        recentReviews.set(flag.customerId, { outcome: flag.review.outcome, decidedAt: flag.review.decidedAt, evidenceCount });
      }
    },
    withLatestReview(snapshot) {
      const review = snapshot === undefined ? undefined : recentReviews.get(snapshot.customerId);
      return snapshot === undefined || review === undefined ? snapshot : { ...snapshot, lastReview: review };
    },
    openFlagIdOf(snapshot) {
      return snapshot.openFlagId !== null && closedFlags.has(snapshot.openFlagId) ? null : snapshot.openFlagId;
    },
  };
}
