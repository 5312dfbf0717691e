/**
 * The customer features of the risk model, in model column order. Each is one DOUBLE column of
 * `customer_features` computed point in time by store/risk/compute-customer-features.ts; counts are
 * 0 when nothing happened, shares and rates are missing (`NaN`) when their denominator is 0.
 */
export const RISK_FEATURE_NAMES = [
  'account_age_days',
  'orders_30d',
  'orders_365d',
  'items_bought_365d',
  'value_bought_365d',
  'returns_30d',
  'items_returned_90d',
  'items_returned_365d',
  'item_return_rate_90d',
  'item_return_rate_365d',
  'value_return_rate_365d',
  'returned_value_90d',
  'returned_value_365d',
  'mean_days_to_return_365d',
  'late_window_return_share_365d',
  'late_window_returns_365d',
  'fit_reason_share_365d',
  'new_condition_share_365d',
  'defect_claim_lines_365d',
  'no_fault_found_share_365d',
  'not_declared_30d',
  'not_declared_90d',
  'not_declared_365d',
  'used_returns_90d',
  'used_returns_365d',
  'refunds_without_receipt_365d',
  'unshipped_returns_365d',
  'light_parcels_365d',
  'claims_90d',
  'claims_365d',
  'bracketing_orders_365d',
  'ring_size',
  'ring_returned_value_365d',
  'ring_not_declared_365d',
  'ring_refunds_without_receipt_365d',
  'defect_claim_share_365d',
  'off_weight_parcels_365d',
  'unexpected_no_fault_365d',
  'late_used_returns_365d',
  'delivered_not_received_claims_365d',
  'no_fault_defect_claims_365d',
  'no_fault_share_shrunk_365d',
  'unused_defect_claims_365d',
  'defect_claim_excess_365d',
  'refunded_value_without_receipt_365d',
  'category_abuse_rate_365d',
  'ring_other_evidence_365d',
] as const;

export type RiskFeatureName = (typeof RISK_FEATURE_NAMES)[number];

/** One customer's features by name (`NaN` = missing). */
export type RiskFeatureValues = Record<RiskFeatureName, number>;

/** A feature record with every count 0 and every share missing, e.g. to build test cases from. */
export function emptyRiskFeatureValues(): RiskFeatureValues {
  const values = {} as RiskFeatureValues;
  for (const name of RISK_FEATURE_NAMES) values[name] = /share|rate|mean_days|account_age/.test(name) ? Number.NaN : 0;
  return values;
}
