import { describe, expect, it } from 'vitest';
import { countHardEvidence, evaluateRiskRules, RISK_RULE_CODES } from '../../../models/risk/evaluate-risk-rules.ts';
import { emptyRiskFeatureValues, type RiskFeatureValues } from '../../../models/risk/risk-feature-names.ts';

const features = (values: Partial<RiskFeatureValues>): RiskFeatureValues => ({ ...emptyRiskFeatureValues(), ...values });

describe('evaluateRiskRules', () => {
  it.each([
    [{ not_declared_90d: 1 }, 'NOT_DECLARED_ITEM', '1 return inspected as not the declared item in 90 days', 0.55, 'item_swap'],
    [{ not_declared_90d: 3 }, 'NOT_DECLARED_ITEM', '3 returns inspected as not the declared item in 90 days', 0.9, 'item_swap'],
    [{ used_returns_90d: 2 }, 'USED_ITEMS_RETURNED', '2 items returned used (inspected C_used) in 90 days', 0.55, 'wardrobing'],
    [{ used_returns_90d: 4 }, 'USED_ITEMS_RETURNED', '4 items returned used (inspected C_used) in 90 days', 0.85, 'wardrobing'],
    [{ refunds_without_receipt_365d: 1 }, 'REFUND_WITHOUT_RECEIPT', '1 refund issued for returns that never arrived (365 days)', 0.5, 'refund_abuse'],
    [{ refunds_without_receipt_365d: 2 }, 'REFUND_WITHOUT_RECEIPT', '2 refunds issued for returns that never arrived (365 days)', 0.85, 'refund_abuse'],
    [{ defect_claim_lines_365d: 2, no_fault_found_share_365d: 1 }, 'DEFECT_NO_FAULT_FOUND', '100% of 2 items returned as defective had no fault found (365 days)', 0.5, 'false_defect_claim'],
    [{ defect_claim_lines_365d: 4, no_fault_found_share_365d: 0.75 }, 'DEFECT_NO_FAULT_FOUND', '75% of 4 items returned as defective had no fault found (365 days)', 0.5, 'false_defect_claim'],
    [{ defect_claim_lines_365d: 6, no_fault_found_share_365d: 5 / 6 }, 'DEFECT_NO_FAULT_FOUND', '83% of 6 items returned as defective had no fault found (365 days)', 0.5, 'false_defect_claim'],
    [{ defect_claim_lines_365d: 5, no_fault_found_share_365d: 1 }, 'DEFECT_NO_FAULT_FOUND', '100% of 5 items returned as defective had no fault found (365 days)', 0.85, 'false_defect_claim'],
    [{ late_window_returns_365d: 2, late_window_return_share_365d: 0.4 }, 'LATE_WINDOW_RETURNS', '2 items returned at the very end of the return window (40% of returns, 365 days)', 0.5, 'wardrobing'],
    [{ late_window_returns_365d: 5, late_window_return_share_365d: 0.5 }, 'LATE_WINDOW_RETURNS', '5 items returned at the very end of the return window (50% of returns, 365 days)', 0.8, 'wardrobing'],
    [{ light_parcels_365d: 1 }, 'LIGHT_PARCEL', '1 return parcel weighed less than half of what the product weighs (365 days)', 0.55, 'empty_box'],
    [{ light_parcels_365d: 3 }, 'LIGHT_PARCEL', '3 return parcels weighed less than half of what the product weighs (365 days)', 0.85, 'empty_box'],
    [{ claims_90d: 3 }, 'REPEATED_CLAIMS', '3 delivery claims (not received, missing, damaged, wrong item) in 90 days', 0.5, 'claim_abuse'],
    [{ ring_size: 4, ring_not_declared_365d: 1, ring_refunds_without_receipt_365d: 1 }, 'RING_EVIDENCE', 'linked to 3 other accounts (shared address, payment or device) with 2 not-declared items or missing parcels between them (365 days)', 0.5, 'ring'],
  ])('%o fires %s with a sentence a reviewer reads', (values, code, text, weight, fraudType) => {
    expect(evaluateRiskRules(features(values))).toEqual([{ code, text, weight, fraudType }]);
  });

  it('stays silent just below every threshold', () => {
    const quiet = features({
      not_declared_90d: 0, used_returns_90d: 1, refunds_without_receipt_365d: 0, defect_claim_lines_365d: 1, no_fault_found_share_365d: 1,
      claims_90d: 2, ring_size: 2, ring_not_declared_365d: 5, late_window_returns_365d: 1, late_window_return_share_365d: 1,
    });
    expect(evaluateRiskRules(features({ late_window_returns_365d: 3, late_window_return_share_365d: 0.39 }))).toEqual([]);
    expect(evaluateRiskRules(quiet)).toEqual([]);
    expect(evaluateRiskRules(features({ defect_claim_lines_365d: 10, no_fault_found_share_365d: 0.74 }))).toEqual([]);
  });

  it('never fires on honest heavy returning or bracketing alone', () => {
    const heavyHonest = features({
      items_returned_365d: 60, item_return_rate_365d: 0.9, value_return_rate_365d: 0.9, returned_value_365d: 900_000, returns_30d: 8,
      bracketing_orders_365d: 12, fit_reason_share_365d: 0.9, new_condition_share_365d: 1, late_window_return_share_365d: 0.05, late_window_returns_365d: 3,
    });
    expect(evaluateRiskRules(heavyHonest)).toEqual([]);
  });

  it('lists codes in a fixed order and counts hard evidence', () => {
    expect(RISK_RULE_CODES).toHaveLength(8);
    expect(countHardEvidence(features({ not_declared_365d: 2, used_returns_365d: 1, refunds_without_receipt_365d: 1, claims_365d: 1, defect_claim_lines_365d: 3, no_fault_found_share_365d: 0.8, light_parcels_365d: 1, late_window_returns_365d: 1 }))).toBe(10);
    expect(countHardEvidence(features({ defect_claim_lines_365d: 3, no_fault_found_share_365d: 0.2 }))).toBe(0);
  });
});
