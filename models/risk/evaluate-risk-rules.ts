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
  'REFUND_WITHOUT_RECEIPT',
  'DEFECT_NO_FAULT_FOUND',
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
  if (notDeclared >= 1) {
    fired.push({
      code: 'NOT_DECLARED_ITEM',
      text: `${plural(notDeclared, 'return', 'returns')} inspected as not the declared item in 90 days`,
      // One can be a warehouse mix-up: enough for review, not for the high tier on its own.
      weight: notDeclared >= 2 ? 0.9 : 0.55,
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
  const missing = features.refunds_without_receipt_365d;
  if (missing >= 1) {
    fired.push({
      code: 'REFUND_WITHOUT_RECEIPT',
      text: `${plural(missing, 'refund', 'refunds')} issued for returns that never arrived (365 days)`,
      weight: missing >= 2 ? 0.85 : 0.5,
      fraudType: 'refund_abuse',
    });
  }
  const defectLines = features.defect_claim_lines_365d;
  const noFaultShare = features.no_fault_found_share_365d;
  if (defectLines >= 3 && noFaultShare >= 0.6) {
    fired.push({
      code: 'DEFECT_NO_FAULT_FOUND',
      text: `${Math.round(noFaultShare * 100)}% of ${defectLines} items returned as defective had no fault found (365 days)`,
      weight: defectLines >= 5 && noFaultShare >= 0.8 ? 0.85 : 0.55,
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
  const ringEvidence = features.ring_not_declared_365d + features.ring_refunds_without_receipt_365d;
  if (ringSize >= 3 && ringEvidence >= 2) {
    fired.push({
      code: 'RING_EVIDENCE',
      text: `linked to ${ringSize - 1} other accounts (shared address, payment or device) with ${ringEvidence} not-declared items or missing parcels between them (365 days)`,
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
    features.claims_365d +
    (features.no_fault_found_share_365d >= 0.6 ? features.defect_claim_lines_365d : 0)
  );
}
