
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
}
