/**
 * The ground truth of one simulation: who behaves how, rings, defect episodes, reason shifts,
 * fraudulent returns, operations anomalies and review decisions. Only tests and `npm run eval`
 * read it; the pipeline never does, and nothing in it appears in the events.
 */
import type { FraudType, ReturnReason, Verdict } from '../domain/events/vocabulary.ts';
import type { Behaviour } from './simulation-parameters.ts';

export const ANOMALY_KINDS = ['over_refund', 'duplicate_refund', 'missing_refund', 'late_refund', 'refund_without_receipt', 'outside_window'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface TruthCustomer {
  customerId: string;
  behaviour: Behaviour;
  /** Set for fraud and abuse behaviours only. */
  fraudType?: FraudType;
  ringId?: string;
  /** Honest accounts sharing an address (not a ring). */
  householdId?: string;
  accountCreatedAt: string;
  /** First order possible only during the simulated period. */
  newAccount: boolean;
}

export interface TruthRing {
  ringId: string;
  behaviour: Behaviour;
  customerIds: string[];
  sharedAddressHashes: string[];
  sharedPaymentFingerprints: string[];
  sharedDeviceIds: string[];
}

export interface TruthProduct {
  productId: string;
  category: string;
  sellerId: string;
  /** Unit price in EUR cents (GBP orders pay 0.86 of it). */
  priceCents: number;
  /** Expected share of lines an ordinary customer returns, outside episodes and shifts. */
  returnRate: number;
  /** Expected share of lines an ordinary customer returns with a product-fault reason. */
  productFaultRate: number;
  /** Relative popularity (order lines are drawn in proportion to it). */
  popularity: number;
}

export interface TruthDefectEpisode {
  episodeId: string;
  productId: string;
  category: string;
  /** Applies to units delivered in [startDate, endDate). */
  startDate: string;
  endDate: string;
  /** Multiplier on the product-fault return probability ("expected uplift"). */
  factor: number;
  baselineProductFaultRate: number;
  episodeProductFaultRate: number;
  /** Best-seller (top 5% by popularity) or a low-volume product. */
  bestSeller: boolean;
  /** Words customers use in comments during the episode. */
  issue: string;
}

export interface TruthReasonShift {
  productId: string;
  category: string;
  startDate: string;
  endDate: string;
  reason: ReturnReason;
  addedShare: number;
  rateMultiplier: number;
}

export interface TruthFraudulentReturn {
  returnId: string;
  customerId: string;
  orderId: string;
  fraudType: FraudType;
  requestedAt: string;
  /** Paid value of the returned lines, in the order's currency, and converted to EUR cents. */
  value: number;
  currency: 'EUR' | 'GBP';
  valueEurCents: number;
  /** The inspector noticed (C_used, X_not_declared_item or none_found). Always false when never shipped. */
  caughtAtInspection: boolean;
}

export interface TruthFraudulentClaim {
  claimId: string;
  customerId: string;
  orderId: string;
  fraudType: FraudType;
  openedAt: string;
}

export interface TruthAnomaly {
  returnId: string;
  kind: AnomalyKind;
  customerId: string;
  /** `injected` at the configured rates, or produced by a fraud behaviour (refund abusers). */
  cause: 'injected' | 'refund_abuse';
  /** When the anomaly became observable (refund issued, SLA passed, request made). */
  observableAt: string;
}

export interface TruthDecision {
  decisionId: string;
  customerId: string;
  verdict: Verdict;
  fraudType?: FraudType;
  /** False for the deliberately wrong verdicts. */
  correct: boolean;
}

export interface TruthSummary {
  events: number;
  eventsByType: Record<string, number>;
  orders: number;
  orderLines: number;
  returns: number;
  returnLines: number;
  /** Realised returned-lines / ordered-lines per category, all customers. */
  returnRateByCategory: Record<string, number>;
  returnedValueEurCents: number;
  fraudulentReturnedValueEurCents: number;
  /** Fraudulent share of returned value (the figure NRF/Appriss report as 9–15%). */
  fraudShareOfReturnedValue: number;
  /** Re-sent duplicate events (same id, same content) and events emitted out of order. */
  duplicatesEmitted: number;
}

export interface SimulationTruth {
  version: 1;
  seed: number;
  startDate: string;
  /** Exclusive: the stream holds events with time < endDate. */
  endDate: string;
  days: number;
  policy: { returnWindowDays: number; returnWindowByCategory: Record<string, number>; refundSlaDays: number };
  customers: TruthCustomer[];
  rings: TruthRing[];
  households: { householdId: string; customerIds: string[]; addressHash: string }[];
  products: TruthProduct[];
  defectEpisodes: TruthDefectEpisode[];
  reasonShifts: TruthReasonShift[];
  fraudulentReturns: TruthFraudulentReturn[];
  fraudulentClaims: TruthFraudulentClaim[];
  anomalies: TruthAnomaly[];
  decisions: TruthDecision[];
  summary: TruthSummary;
}
