import type { RiskReason } from './evaluate-risk-rules.ts';
import type { RiskTier } from './risk-tier.ts';

/**
 * Everything the real-time decision needs about one customer, loaded into memory after each risk
 * run (store/risk/load-risk-snapshots.ts) so the API answers without touching DuckDB.
 */
export interface CustomerRiskSnapshot {
  readonly customerId: string;
  readonly status: 'scored' | 'unscored';
  readonly score: number | null;
  readonly tier: RiskTier | 'unscored';
  readonly reasons: readonly RiskReason[];
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
