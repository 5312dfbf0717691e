import { describe, expect, it } from 'vitest';
import { countHardEvidence, evaluateRiskRules, RISK_RULE_CODES } from '../../../models/risk/evaluate-risk-rules.ts';
import { emptyRiskFeatureValues, type RiskFeatureValues } from '../../../models/risk/risk-feature-names.ts';

const features = (values: Partial<RiskFeatureValues>): RiskFeatureValues => ({ ...emptyRiskFeatureValues(), ...values });

describe('evaluateRiskRules', () => {
  it.each([
    [{ not_declared_90d: 1 }, 'NOT_DECLARED_ITEM', '1 return inspected as not the declared item in 90 days', 0.55, 'item_swap'],
    [{ not_declared_90d: 3 }, 'NOT_DECLARED_ITEM', '3 returns inspected as not the declared item in 90 days', 0.9, 'item_swap'],
    [{ not_declared_90d: 0, not_declared_365d: 2 }, 'NOT_DECLARED_ITEM', '2 returns inspected as not the declared item in 365 days', 0.9, 'item_swap'],
    [{ not_declared_90d: 1, not_declared_365d: 1 }, 'NOT_DECLARED_ITEM', '1 return inspected as not the declared item in 90 days', 0.55, 'item_swap'],
    [{ not_declared_365d: 1, off_weight_parcels_365d: 1 }, 'NOT_DECLARED_ITEM', "1 return inspected as not the declared item and a return parcel more than 20% off the product's usual weight (365 days)", 0.55, 'item_swap'],
    [{ used_returns_90d: 2 }, 'USED_ITEMS_RETURNED', '2 items returned used (inspected C_used) in 90 days', 0.55, 'wardrobing'],
    [{ used_returns_90d: 4 }, 'USED_ITEMS_RETURNED', '4 items returned used (inspected C_used) in 90 days', 0.85, 'wardrobing'],
    [{ refunds_without_receipt_365d: 1 }, 'REFUND_WITHOUT_RECEIPT', '1 refund issued for returns that never arrived (365 days)', 0.5, 'refund_abuse'],
    [{ refunds_without_receipt_365d: 2 }, 'REFUND_WITHOUT_RECEIPT', '2 refunds issued for returns that never arrived (365 days)', 0.85, 'refund_abuse'],
    [{ no_fault_defect_claims_365d: 2, no_fault_share_shrunk_365d: 0.7, defect_claim_excess_365d: 1.5 }, 'DEFECT_NO_FAULT_FOUND', '2 items returned as defective had no fault found (70% after shrinkage); 1.5 more defect claims than buyers of the same products make (365 days)', 0.5, 'false_defect_claim'],
    [{ no_fault_defect_claims_365d: 5, no_fault_share_shrunk_365d: 0.79, defect_claim_excess_365d: 4 }, 'DEFECT_NO_FAULT_FOUND', '5 items returned as defective had no fault found (79% after shrinkage); 4.0 more defect claims than buyers of the same products make (365 days)', 0.5, 'false_defect_claim'],
    [{ no_fault_defect_claims_365d: 5, no_fault_share_shrunk_365d: 0.8, defect_claim_excess_365d: 3 }, 'DEFECT_NO_FAULT_FOUND', '5 items returned as defective had no fault found (80% after shrinkage); 3.0 more defect claims than buyers of the same products make (365 days)', 0.85, 'false_defect_claim'],
    [{ no_fault_defect_claims_365d: 2, unused_defect_claims_365d: 1 }, 'DEFECT_CLAIMS_UNUSED', '2 items returned as defective had no fault found, 1 of them unused (inspected A_new), 365 days', 0.5, 'false_defect_claim'],
    [{ no_fault_defect_claims_365d: 3, unused_defect_claims_365d: 2 }, 'DEFECT_CLAIMS_UNUSED', '3 items returned as defective had no fault found, 2 of them unused (inspected A_new), 365 days', 0.8, 'false_defect_claim'],
    [{ no_fault_defect_claims_365d: 1, unused_defect_claims_365d: 1 }, 'DEFECT_CLAIMS_UNUSED', '1 item returned as defective came back unused and working (inspected A_new, no fault found), 365 days', 0.5, 'false_defect_claim'],
    [{ late_used_returns_365d: 1 }, 'WORN_AND_RETURNED', '1 item returned at the end of the return window and inspected as used (C_used), 365 days', 0.55, 'wardrobing'],
    [{ late_used_returns_365d: 2 }, 'WORN_AND_RETURNED', '2 items returned at the end of the return window and inspected as used (C_used), 365 days', 0.85, 'wardrobing'],
    [{ off_weight_parcels_365d: 2 }, 'OFF_WEIGHT_PARCELS', "2 one-item return parcels weighed more than 20% off the product's usual return weight (365 days)", 0.5, 'item_swap'],
    [{ off_weight_parcels_365d: 3 }, 'OFF_WEIGHT_PARCELS', "3 one-item return parcels weighed more than 20% off the product's usual return weight (365 days)", 0.8, 'item_swap'],
    [{ delivered_not_received_claims_365d: 1 }, 'DELIVERED_NOT_RECEIVED', '1 order claimed "not received" after the carrier scanned it delivered (365 days)', 0.5, 'claim_abuse'],
    [{ delivered_not_received_claims_365d: 2 }, 'DELIVERED_NOT_RECEIVED', '2 orders claimed "not received" after the carrier scanned them delivered (365 days)', 0.85, 'claim_abuse'],
    [{ unshipped_returns_365d: 2, items_returned_365d: 8 }, 'UNSHIPPED_RETURNS', '2 return requests over 30 days old whose parcel never arrived (25% of items returned, 365 days)', 0.5, 'refund_abuse'],
    [{ late_window_returns_365d: 2, late_window_return_share_365d: 0.4 }, 'LATE_WINDOW_RETURNS', '2 items returned at the very end of the return window (40% of returns, 365 days)', 0.5, 'wardrobing'],
    [{ late_window_returns_365d: 5, late_window_return_share_365d: 0.5 }, 'LATE_WINDOW_RETURNS', '5 items returned at the very end of the return window (50% of returns, 365 days)', 0.8, 'wardrobing'],
    [{ light_parcels_365d: 1 }, 'LIGHT_PARCEL', '1 return parcel weighed less than half the usual return parcel of the same product (365 days)', 0.55, 'empty_box'],
    [{ light_parcels_365d: 3 }, 'LIGHT_PARCEL', '3 return parcels weighed less than half the usual return parcel of the same product (365 days)', 0.85, 'empty_box'],
    [{ claims_90d: 3 }, 'REPEATED_CLAIMS', '3 delivery claims (not received, missing, damaged, wrong item) in 90 days', 0.5, 'claim_abuse'],
    [{ ring_size: 4, ring_not_declared_365d: 1, ring_refunds_without_receipt_365d: 1 }, 'RING_EVIDENCE', 'in a ring with 3 other accounts (linked directly or through each other by a shared address, payment or device) with 2 pieces of evidence of abuse between them (not-declared items, missing or light parcels, worn items returned late, "not received" after delivery, unused "defective" items; 365 days)', 0.5, 'ring'],
    // A wardrobing ring: worn items returned late, no missing parcel.
    [{ ring_size: 3, ring_other_evidence_365d: 4 }, 'RING_EVIDENCE', 'in a ring with 2 other accounts (linked directly or through each other by a shared address, payment or device) with 4 pieces of evidence of abuse between them (not-declared items, missing or light parcels, worn items returned late, "not received" after delivery, unused "defective" items; 365 days)', 0.8, 'ring'],
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
    // Many no-fault claims, but no more claims than other buyers of those products make: intermittent faults.
    expect(evaluateRiskRules(features({ no_fault_defect_claims_365d: 6, no_fault_share_shrunk_365d: 0.9, defect_claim_excess_365d: 1.4 }))).toEqual([]);
    expect(evaluateRiskRules(features({ no_fault_defect_claims_365d: 6, no_fault_share_shrunk_365d: 0.69, defect_claim_excess_365d: 5 }))).toEqual([]);
    // No-fault defect claims that came back opened (B_open_box): an intermittent fault looks the same.
    expect(evaluateRiskRules(features({ no_fault_defect_claims_365d: 1, unused_defect_claims_365d: 0 }))).toEqual([]);
    expect(evaluateRiskRules(features({ off_weight_parcels_365d: 1 }))).toEqual([]);
    // One piece of evidence in a ring, or plenty between two accounts (a household): no ring reason.
    expect(evaluateRiskRules(features({ ring_size: 5, ring_other_evidence_365d: 1 }))).toEqual([]);
    expect(evaluateRiskRules(features({ ring_size: 2, ring_other_evidence_365d: 6 }))).toEqual([]);
    // One not-declared item months ago, nothing else: a warehouse mix-up is as likely.
    expect(evaluateRiskRules(features({ not_declared_365d: 1 }))).toEqual([]);
    expect(evaluateRiskRules(features({ unshipped_returns_365d: 2, items_returned_365d: 9 }))).toEqual([]);
    expect(evaluateRiskRules(features({ unshipped_returns_365d: 1, items_returned_365d: 1 }))).toEqual([]);
  });

  it('never fires on honest heavy returning or bracketing alone', () => {
    const heavyHonest = features({
      // A few no-fault defect claims, about as many as buyers of those products make; one lapsed return.
      no_fault_defect_claims_365d: 3, no_fault_share_shrunk_365d: 0.6, defect_claim_excess_365d: 0.8, unshipped_returns_365d: 1, used_returns_365d: 2,
      items_returned_365d: 60, item_return_rate_365d: 0.9, value_return_rate_365d: 0.9, returned_value_365d: 900_000, returns_30d: 8,
      bracketing_orders_365d: 12, fit_reason_share_365d: 0.9, new_condition_share_365d: 1, late_window_return_share_365d: 0.05, late_window_returns_365d: 3,
    });
    expect(evaluateRiskRules(heavyHonest)).toEqual([]);
  });

  it('lists codes in a fixed order and counts hard evidence', () => {
    expect(RISK_RULE_CODES).toHaveLength(13);
    expect(countHardEvidence(features({
      not_declared_365d: 2, used_returns_365d: 1, refunds_without_receipt_365d: 1, claims_365d: 1, no_fault_defect_claims_365d: 3, no_fault_share_shrunk_365d: 0.8,
      light_parcels_365d: 1, late_window_returns_365d: 1, unused_defect_claims_365d: 1,
    }))).toBe(11);
    expect(countHardEvidence(features({ no_fault_defect_claims_365d: 3, no_fault_share_shrunk_365d: 0.2 }))).toBe(0);
  });
});
