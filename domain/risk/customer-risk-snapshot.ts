
/**
 * One reason behind a score, as shown to reviewers (models/risk's RiskReason has this shape).
 */
export interface CustomerRiskReason {
  readonly code: string;
  readonly text: string;
  readonly weight: number;
}

/**
 * Everything the real-time decision needs about one customer, loaded into memory after each risk
 * run (store/risk/load-risk-snapshots.ts) so the API answers without touching DuckDB. It lives in domain/ because store/ (which loads it) and
 * models/ (which scores with it) both need it.
 */
export interface CustomerRiskSnapshot {
  readonly customerId: string;
  readonly status: 'scored' | 'unscored';
  readonly score: number | null;
  readonly tier: 'low' | 'review' | 'high' | 'unscored';
  readonly reasons: readonly CustomerRiskReason[];
  readonly modelVersion: string | null;
  readonly computedAt: string;
  readonly fraudTypeHint: string | null;
  /** Latest features the request-time checks use. */
  readonly notDeclared90d: number;
  readonly usedReturns90d: number;
  readonly refundsWithoutReceipt365d: number;
  readonly defectClaimLines365d: number;
  /** NaN when the customer had no inspected defect return. */
  readonly noFaultFoundShare365d: number;
  readonly returnedValue90d: number;
  readonly accountAgeDays: number;
  readonly ringSize: number;
  readonly linkedCustomerIds: readonly string[];
  readonly openFlagId: string | null;
  /** Hard evidence the latest risk run counted (customer_scores.evidence_count: not-declared items, missing parcels, …). */
  readonly evidenceCount: number;
  /** The latest review of the customer: the verdict on its most recently decided flag (expiry is not a review). */
  readonly lastReview: CustomerReview | null;
}

/**
 * A reviewer's verdict on a customer's flag: `confirmed` (fraud or abuse) or `dismissed` (legitimate),
 * with the evidence count the flag had then, so a later answer can tell whether anything new came since.
 */
export interface CustomerReview {
  readonly outcome: 'confirmed' | 'dismissed';
  readonly decidedAt: string;
  readonly evidenceCount: number;
}
