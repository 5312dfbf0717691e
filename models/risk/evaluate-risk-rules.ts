import type { FraudType } from '../../domain/events/vocabulary.ts';
import type { RiskFeatureValues } from './risk-feature-names.ts';

/** A reason a reviewer can read: stable code, sentence with the customer's own numbers, weight in [0, 1]. */
export interface RiskReason {
  readonly code: string;
  readonly text: string;
  /** Probability-like strength of the evidence; reasons combine by noisy-OR (see combineRiskScore). */
  readonly weight: number;
}

export interface FiredRule extends RiskReason {
  /** The fraud type this evidence points to (becomes the flag's fraud_type). */
  readonly fraudType: FraudType;
}

/** Codes of the rules, in the order they are evaluated (and listed in docs/risk.md). */
export const RISK_RULE_CODES = [
  'NOT_DECLARED_ITEM',
  'USED_ITEMS_RETURNED',
  'WORN_AND_RETURNED',
  'LATE_WINDOW_RETURNS',
  'LIGHT_PARCEL',
  'OFF_WEIGHT_PARCELS',
  'REFUND_WITHOUT_RECEIPT',
  'DELIVERED_NOT_RECEIVED',
  'UNSHIPPED_RETURNS',
  'DEFECT_NO_FAULT_FOUND',
  'DEFECT_CLAIMS_UNUSED',
  'REPEATED_CLAIMS',
  'RING_EVIDENCE',
] as const;
export type RiskRuleCode = (typeof RISK_RULE_CODES)[number];

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/**
 * The explainable rules: each looks only at *evidence of abuse* (inspections, missing parcels, claims,
 * shared identities), never at how much an honest customer returns — a heavy returner whose returns
 * come back new, or a bracketer who sends back the sizes that did not fit, fires none of them.
 * They work before any label exists; the model adds what they miss.
 *
 * @example
 * const features = { ...emptyRiskFeatureValues(), not_declared_90d: 3 };
 * evaluateRiskRules(features)[0];
 * // { code: 'NOT_DECLARED_ITEM', text: '3 returns inspected as not the declared item in 90 days', weight: 0.9, fraudType: 'item_swap' }
 */
export function evaluateRiskRules(features: Readonly<RiskFeatureValues>): FiredRule[] {
  const fired: FiredRule[] = [];
  const notDeclared = features.not_declared_90d;
  const notDeclaredYear = features.not_declared_365d;
  if (notDeclared >= 1 || notDeclaredYear >= 2) {
    fired.push({
      code: 'NOT_DECLARED_ITEM',
      text: notDeclared >= 2 || notDeclaredYear < 2
        ? `${plural(notDeclared, 'return', 'returns')} inspected as not the declared item in 90 days`
        : `${notDeclaredYear} returns inspected as not the declared item in 365 days`,
      // One can be a warehouse mix-up: enough for review, not for the high tier on its own; two in a
      // year are not a mix-up, however far apart.
      weight: notDeclared >= 2 || notDeclaredYear >= 2 ? 0.9 : 0.55,
      fraudType: 'item_swap',
    });
  } else if (notDeclaredYear >= 1 && features.off_weight_parcels_365d >= 1) {
    fired.push({
      code: 'NOT_DECLARED_ITEM',
      text: '1 return inspected as not the declared item and a return parcel more than 20% off the product\'s usual weight (365 days)',
      weight: 0.55,
      fraudType: 'item_swap',
    });
  }
  const used = features.used_returns_90d;
  if (used >= 2) {
    fired.push({
      code: 'USED_ITEMS_RETURNED',
      text: `${plural(used, 'item', 'items')} returned used (inspected C_used) in 90 days`,
      weight: used >= 3 ? 0.85 : 0.55,
      fraudType: 'wardrobing',
    });
  }
  const wornLate = features.late_used_returns_365d;
  // Used *and* sent back in the window's last days: honest customers return worn items now and
  // then, and late now and then, rarely both.
  if (wornLate >= 1) {
    fired.push({
      code: 'WORN_AND_RETURNED',
      text: `${plural(wornLate, 'item', 'items')} returned at the end of the return window and inspected as used (C_used), 365 days`,
      weight: wornLate >= 2 ? 0.85 : 0.55,
      fraudType: 'wardrobing',
    });
  }
  const late = features.late_window_returns_365d;
  const lateShare = features.late_window_return_share_365d;
  // Honest returns come back a few days after delivery; worn-and-returned items at the window's end.
  if (late >= 2 && lateShare >= 0.4) {
    fired.push({
      code: 'LATE_WINDOW_RETURNS',
      text: `${late} items returned at the very end of the return window (${Math.round(lateShare * 100)}% of returns, 365 days)`,
      weight: late >= 4 && lateShare >= 0.5 ? 0.8 : 0.5,
      fraudType: 'wardrobing',
    });
  }
  const light = features.light_parcels_365d;
  if (light >= 1) {
    fired.push({
      code: 'LIGHT_PARCEL',
      text: `${plural(light, 'return parcel', 'return parcels')} weighed less than half the usual return parcel of the same product (365 days)`,
      weight: light >= 2 ? 0.85 : 0.55,
      fraudType: 'empty_box',
    });
  }
  const offWeight = features.off_weight_parcels_365d;
  // Packaging varies by a few percent; a parcel 20% off, twice, held something else.
  if (offWeight >= 2) {
    fired.push({
      code: 'OFF_WEIGHT_PARCELS',
      text: `${offWeight} one-item return parcels weighed more than 20% off the product's usual return weight (365 days)`,
      weight: offWeight >= 3 ? 0.8 : 0.5,
      fraudType: 'item_swap',
    });
  }
  const missing = features.refunds_without_receipt_365d;
  if (missing >= 1) {
    fired.push({
      code: 'REFUND_WITHOUT_RECEIPT',
      text: `${plural(missing, 'refund', 'refunds')} issued for returns that never arrived (365 days)`,
      weight: missing >= 2 ? 0.85 : 0.5,
      fraudType: 'refund_abuse',
    });
  }
  const notReceived = features.delivered_not_received_claims_365d;
  if (notReceived >= 1) {
    fired.push({
      code: 'DELIVERED_NOT_RECEIVED',
      text: `${plural(notReceived, 'order', 'orders')} claimed "not received" after the carrier scanned ${notReceived === 1 ? 'it' : 'them'} delivered (365 days)`,
      weight: notReceived >= 2 ? 0.85 : 0.5,
      fraudType: 'claim_abuse',
    });
  }
  const unshipped = features.unshipped_returns_365d;
  const itemsReturned = features.items_returned_365d;
  // Honest customers let one return lapse now and then; a refund abuser without an instant refund lets them all lapse.
  if (unshipped >= 2 && unshipped >= 0.25 * itemsReturned) {
    fired.push({
      code: 'UNSHIPPED_RETURNS',
      text: `${unshipped} return requests over 30 days old whose parcel never arrived (${Math.round((unshipped / Math.max(itemsReturned, 1)) * 100)}% of items returned, 365 days)`,
      weight: 0.5,
      fraudType: 'refund_abuse',
    });
  }
  const noFault = features.no_fault_defect_claims_365d;
  const noFaultShare = features.no_fault_share_shrunk_365d;
  const excess = features.defect_claim_excess_365d;
  // Genuine defects are often intermittent (no fault found), so no-fault claims alone prove little;
  // they count when the customer also claims defects far more often than other buyers of the same products.
  if (noFault >= 2 && noFaultShare >= 0.7 && excess >= 1.5) {
    fired.push({
      code: 'DEFECT_NO_FAULT_FOUND',
      text: `${noFault} items returned as defective had no fault found (${Math.round(noFaultShare * 100)}% after shrinkage); ${excess.toFixed(1)} more defect claims than buyers of the same products make (365 days)`,
      weight: noFault >= 5 && noFaultShare >= 0.8 && excess >= 3 ? 0.85 : 0.5,
      fraudType: 'false_defect_claim',
    });
  }
  const unused = features.unused_defect_claims_365d;
  // Claimed defective, found working and unused (A_new, no fault): the inspection shows the stated
  // reason was not true. One is enough for a human look (review) — a mis-chosen reason is what the
  // reviewer rules out; only several reach the high tier.
  if (unused >= 1) {
    fired.push({
      code: 'DEFECT_CLAIMS_UNUSED',
      text: noFault >= 2
        ? `${noFault} items returned as defective had no fault found, ${unused} of them unused (inspected A_new), 365 days`
        : `${plural(unused, 'item', 'items')} returned as defective came back unused and working (inspected A_new, no fault found), 365 days`,
      weight: unused >= 2 && noFault >= 3 ? 0.8 : 0.5,
      fraudType: 'false_defect_claim',
    });
  }
  const claims = features.claims_90d;
  if (claims >= 3) {
    fired.push({
      code: 'REPEATED_CLAIMS',
      text: `${claims} delivery claims (not received, missing, damaged, wrong item) in 90 days`,
      weight: claims >= 5 ? 0.8 : 0.5,
      fraudType: 'claim_abuse',
    });
  }
  const ringSize = features.ring_size;
  const ringEvidence = features.ring_not_declared_365d + features.ring_refunds_without_receipt_365d + features.ring_other_evidence_365d;
  if (ringSize >= 3 && ringEvidence >= 2) {
    fired.push({
      code: 'RING_EVIDENCE',
      text: `in a ring with ${ringSize - 1} other accounts (linked directly or through each other by a shared address, payment or device) with ${ringEvidence} pieces of evidence of abuse between them (not-declared items, missing or light parcels, worn items returned late, "not received" after delivery, unused "defective" items; 365 days)`,
      weight: ringEvidence >= 4 ? 0.8 : 0.5,
      fraudType: 'ring',
    });
  }
  return fired;
}

/**
 * Hard evidence a reviewer has already seen when a flag is decided: a closed flag only reopens when
 * this count grows (see decideFlagAction).
 */
export function countHardEvidence(features: Readonly<RiskFeatureValues>): number {
  return (
    features.not_declared_365d +
    features.used_returns_365d +
    features.refunds_without_receipt_365d +
    features.light_parcels_365d +
    features.late_window_returns_365d +
    features.claims_365d +
    features.unused_defect_claims_365d +
    (features.no_fault_share_shrunk_365d >= 0.7 ? features.no_fault_defect_claims_365d : 0)
  );
}
