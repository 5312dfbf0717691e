/**
 * Closed vocabularies of the v1 event contract: return reasons (with the fault flags product and
 * quality teams group by), inspection conditions, faults, dispositions and the small enumerations.
 */

export interface ReasonDefinition {
  /** Product teams count these as product faults (quality.*, description.*). */
  readonly productFault: boolean;
  /** The seller is at fault: product faults plus a wrong item sent. */
  readonly sellerFault: boolean;
  readonly label: string;
}

export const RETURN_REASONS = {
  'fit.too_small': { productFault: false, sellerFault: false, label: 'Too small' },
  'fit.too_large': { productFault: false, sellerFault: false, label: 'Too large' },
  'preference.style': { productFault: false, sellerFault: false, label: 'Did not like the style' },
  'preference.changed_mind': { productFault: false, sellerFault: false, label: 'Changed mind' },
  'preference.better_price': { productFault: false, sellerFault: false, label: 'Found a better price' },
  'preference.ordered_by_mistake': { productFault: false, sellerFault: false, label: 'Ordered by mistake' },
  'description.not_as_described': { productFault: true, sellerFault: true, label: 'Not as described' },
  'quality.defective': { productFault: true, sellerFault: true, label: 'Defective' },
  'quality.poor_quality': { productFault: true, sellerFault: true, label: 'Poor quality' },
  'quality.missing_parts': { productFault: true, sellerFault: true, label: 'Missing parts' },
  'logistics.arrived_damaged': { productFault: false, sellerFault: false, label: 'Arrived damaged' },
  'logistics.wrong_item_sent': { productFault: false, sellerFault: true, label: 'Wrong item sent' },
  'logistics.arrived_late': { productFault: false, sellerFault: false, label: 'Arrived late' },
  other: { productFault: false, sellerFault: false, label: 'Other' },
} as const satisfies Record<string, ReasonDefinition>;

export type ReturnReason = keyof typeof RETURN_REASONS;
export const RETURN_REASON_CODES = Object.keys(RETURN_REASONS) as ReturnReason[];
export const PRODUCT_FAULT_REASONS = RETURN_REASON_CODES.filter((code) => RETURN_REASONS[code].productFault);
export const SELLER_FAULT_REASONS = RETURN_REASON_CODES.filter((code) => RETURN_REASONS[code].sellerFault);

/** The first level of a reason code (`quality.defective` → `quality`), for grouping. */
export function reasonGroup(reason: ReturnReason): string {
  const dot = reason.indexOf('.');
  return dot === -1 ? reason : reason.slice(0, dot);
}

export const INSPECTION_CONDITIONS = ['A_new', 'B_open_box', 'C_used', 'D_damaged', 'X_not_declared_item'] as const;
export type InspectionCondition = (typeof INSPECTION_CONDITIONS)[number];

export const INSPECTION_FAULTS = ['none_found', 'manufacturing', 'carrier', 'customer', 'warehouse'] as const;
export type InspectionFault = (typeof INSPECTION_FAULTS)[number];

export const DISPOSITIONS = ['restock', 'b_stock', 'refurbish', 'return_to_vendor', 'liquidate', 'recycle', 'destroy'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const RETURN_METHODS = ['mail', 'drop_off', 'in_store', 'pickup'] as const;
export const RETURN_RESOLUTIONS = ['refund', 'store_credit', 'exchange', 'keep_item'] as const;
export const REFUND_METHODS = ['original_payment', 'store_credit', 'gift_card', 'exchange'] as const;
export const RETURN_OUTCOMES = ['refunded', 'rejected', 'withdrawn', 'expired'] as const;
export const CLAIM_KINDS = ['not_received', 'arrived_damaged', 'missing_item', 'wrong_item'] as const;
export const VERDICTS = ['fraud', 'abuse', 'legitimate'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Fraud types a reviewer may record, and the simulator and rules speak of. */
export const FRAUD_TYPES = [
  'wardrobing',
  'item_swap',
  'empty_box',
  'refund_abuse',
  'false_defect_claim',
  'ring',
  'claim_abuse',
  'other',
] as const;
export type FraudType = (typeof FRAUD_TYPES)[number];
