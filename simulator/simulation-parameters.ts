/**
 * The simulator's parameters: categories, customer behaviours, dynamics and anomaly rates. Every
 * number here is documented in docs/simulator.md with the public figure behind it, or marked there
 * as a judgement call. Tests compare realised rates with these values.
 */
import type { FraudType, ReturnReason } from '../domain/events/vocabulary.ts';

export interface CategoryProfile {
  readonly name: string;
  /** Share of catalogue products in this category. */
  readonly productShare: number;
  /** Demand weight: how often a product of this category is bought, relative to others of equal rank. */
  readonly demandWeight: number;
  /** Expected share of order lines an ordinary customer returns (units delivered outside episodes). */
  readonly returnRate: number;
  /** Weights of return reasons (normalised per product after a small per-product perturbation). */
  readonly reasonWeights: Readonly<Partial<Record<ReturnReason, number>>>;
  /** Median unit price in EUR cents and the spread (sigma of the log) of prices. */
  readonly medianPriceCents: number;
  readonly priceSpread: number;
  /** Median shipped weight in grams. */
  readonly medianWeightGrams: number;
  readonly sizes?: readonly string[];
  readonly colours?: readonly string[];
  /** Largest quantity a line usually has (most lines have 1). */
  readonly maxQuantity: number;
}

const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'] as const;
const SHOE_SIZES = ['36', '37', '38', '39', '40', '41', '42', '43', '44', '45', '46'] as const;
const COLOURS = ['black', 'white', 'navy', 'grey', 'red', 'green', 'beige', 'blue', 'pink', 'brown'] as const;

export const CATEGORY_PROFILES: readonly CategoryProfile[] = [
  {
    name: 'apparel', productShare: 0.3, demandWeight: 1.2, returnRate: 0.21,
    reasonWeights: {
      'fit.too_small': 22, 'fit.too_large': 18, 'preference.style': 20, 'preference.changed_mind': 10, 'preference.better_price': 3,
      'preference.ordered_by_mistake': 3, 'description.not_as_described': 9, 'quality.poor_quality': 7, 'quality.defective': 3,
      'quality.missing_parts': 0.5, 'logistics.arrived_damaged': 1.5, 'logistics.wrong_item_sent': 2, 'logistics.arrived_late': 1, other: 2,
    },
    medianPriceCents: 3_500, priceSpread: 0.6, medianWeightGrams: 400, sizes: APPAREL_SIZES, colours: COLOURS, maxQuantity: 2,
  },
  {
    name: 'shoes', productShare: 0.1, demandWeight: 1.0, returnRate: 0.18,
    reasonWeights: {
      'fit.too_small': 25, 'fit.too_large': 20, 'preference.style': 17, 'preference.changed_mind': 9, 'preference.better_price': 3,
      'preference.ordered_by_mistake': 3, 'description.not_as_described': 7, 'quality.poor_quality': 7, 'quality.defective': 4,
      'logistics.arrived_damaged': 1.5, 'logistics.wrong_item_sent': 2, 'logistics.arrived_late': 1, other: 1.5,
    },
    medianPriceCents: 7_000, priceSpread: 0.5, medianWeightGrams: 1_100, sizes: SHOE_SIZES, colours: COLOURS, maxQuantity: 1,
  },
  {
    name: 'electronics', productShare: 0.12, demandWeight: 0.9, returnRate: 0.055,
    reasonWeights: {
      'preference.style': 3, 'preference.changed_mind': 14, 'preference.better_price': 8, 'preference.ordered_by_mistake': 6,
      'description.not_as_described': 10, 'quality.defective': 30, 'quality.poor_quality': 7, 'quality.missing_parts': 6,
      'logistics.arrived_damaged': 7, 'logistics.wrong_item_sent': 4, 'logistics.arrived_late': 2, other: 3,
    },
    medianPriceCents: 12_000, priceSpread: 0.9, medianWeightGrams: 900, colours: ['black', 'white', 'silver', 'blue'], maxQuantity: 1,
  },
  {
    name: 'home', productShare: 0.14, demandWeight: 0.9, returnRate: 0.08,
    reasonWeights: {
      'preference.style': 18, 'preference.changed_mind': 14, 'preference.better_price': 5, 'preference.ordered_by_mistake': 5,
      'description.not_as_described': 14, 'quality.defective': 10, 'quality.poor_quality': 10, 'quality.missing_parts': 5,
      'logistics.arrived_damaged': 12, 'logistics.wrong_item_sent': 3, 'logistics.arrived_late': 2, other: 2,
    },
    medianPriceCents: 4_000, priceSpread: 0.8, medianWeightGrams: 2_000, colours: COLOURS, maxQuantity: 2,
  },
  {
    name: 'beauty', productShare: 0.1, demandWeight: 1.0, returnRate: 0.04,
    reasonWeights: {
      'preference.style': 10, 'preference.changed_mind': 20, 'preference.better_price': 5, 'preference.ordered_by_mistake': 10,
      'description.not_as_described': 10, 'quality.defective': 8, 'quality.poor_quality': 12, 'quality.missing_parts': 2,
      'logistics.arrived_damaged': 12, 'logistics.wrong_item_sent': 5, 'logistics.arrived_late': 2, other: 4,
    },
    medianPriceCents: 1_800, priceSpread: 0.6, medianWeightGrams: 250, maxQuantity: 3,
  },
  {
    name: 'sports', productShare: 0.08, demandWeight: 0.8, returnRate: 0.11,
    reasonWeights: {
      'fit.too_small': 12, 'fit.too_large': 10, 'preference.style': 12, 'preference.changed_mind': 15, 'preference.better_price': 6,
      'preference.ordered_by_mistake': 4, 'description.not_as_described': 10, 'quality.defective': 10, 'quality.poor_quality': 9,
      'quality.missing_parts': 3, 'logistics.arrived_damaged': 4, 'logistics.wrong_item_sent': 2, 'logistics.arrived_late': 1, other: 2,
    },
    medianPriceCents: 4_500, priceSpread: 0.7, medianWeightGrams: 800, sizes: ['S', 'M', 'L', 'XL'], colours: COLOURS, maxQuantity: 2,
  },
  {
    name: 'toys', productShare: 0.06, demandWeight: 0.8, returnRate: 0.06,
    reasonWeights: {
      'preference.style': 8, 'preference.changed_mind': 18, 'preference.better_price': 6, 'preference.ordered_by_mistake': 8,
      'description.not_as_described': 12, 'quality.defective': 15, 'quality.poor_quality': 10, 'quality.missing_parts': 8,
      'logistics.arrived_damaged': 8, 'logistics.wrong_item_sent': 3, 'logistics.arrived_late': 2, other: 2,
    },
    medianPriceCents: 2_500, priceSpread: 0.7, medianWeightGrams: 600, maxQuantity: 2,
  },
  {
    name: 'books_media', productShare: 0.06, demandWeight: 1.0, returnRate: 0.03,
    reasonWeights: {
      'preference.changed_mind': 25, 'preference.better_price': 8, 'preference.ordered_by_mistake': 20, 'description.not_as_described': 5,
      'quality.defective': 8, 'quality.poor_quality': 3, 'quality.missing_parts': 2, 'logistics.arrived_damaged': 18,
      'logistics.wrong_item_sent': 6, 'logistics.arrived_late': 3, other: 2,
    },
    medianPriceCents: 1_500, priceSpread: 0.5, medianWeightGrams: 400, maxQuantity: 3,
  },
  {
    name: 'jewellery', productShare: 0.04, demandWeight: 0.6, returnRate: 0.1,
    reasonWeights: {
      'preference.style': 30, 'preference.changed_mind': 20, 'preference.better_price': 5, 'preference.ordered_by_mistake': 3,
      'description.not_as_described': 14, 'quality.poor_quality': 10, 'quality.defective': 4, 'quality.missing_parts': 1,
      'logistics.arrived_damaged': 3, 'logistics.wrong_item_sent': 3, 'logistics.arrived_late': 2, other: 5,
    },
    medianPriceCents: 9_000, priceSpread: 1.0, medianWeightGrams: 150, colours: ['gold', 'silver', 'rose'], maxQuantity: 1,
  },
];

/** Customer behaviours. Everything after `bracketer` is fraud or abuse (a minority). */
export const BEHAVIOURS = [
  'ordinary',
  'heavy_returner',
  'bracketer',
  'wardrober',
  'item_swapper',
  'empty_boxer',
  'refund_abuser',
  'false_defect_claimer',
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];
export const HONEST_BEHAVIOURS: ReadonlySet<Behaviour> = new Set(['ordinary', 'heavy_returner', 'bracketer']);

export interface BehaviourProfile {
  /** Share of (non-ring) customers with this behaviour. */
  readonly share: number;
  /** Median orders per year and spread (sigma of the log) across customers. */
  readonly medianOrdersPerYear: number;
  /** Multiplier on the ordinary return probability for returns that are not fraud. */
  readonly returnMultiplier: number;
  /** Share of these customers whose account is new (first order during the simulated period). */
  readonly newAccountShare: number;
  /** The kind of fraud or abuse, for fraud behaviours. */
  readonly fraudType?: FraudType;
  /** Categories the fraud targets (lines bought in them may become fraudulent returns). */
  readonly targetCategories?: readonly string[];
  /** Probability that a line in a target category becomes a fraudulent return. */
  readonly fraudReturnProbability?: number;
  /** Probability that the inspector notices the fraud (condition C_used / X_not_declared_item / none_found). */
  readonly inspectionCatchRate?: number;
  /** Share of this customer's order lines picked from the target categories (they shop where they abuse). */
  readonly targetAffinity?: number;
}

export const BEHAVIOUR_PROFILES: Readonly<Record<Behaviour, BehaviourProfile>> = {
  ordinary: { share: 0.865, medianOrdersPerYear: 5, returnMultiplier: 1, newAccountShare: 0.2 },
  heavy_returner: { share: 0.06, medianOrdersPerYear: 9, returnMultiplier: 2.6, newAccountShare: 0.15 },
  bracketer: { share: 0.04, medianOrdersPerYear: 8, returnMultiplier: 1.3, newAccountShare: 0.2, targetCategories: ['apparel', 'shoes'], targetAffinity: 0.6 },
  wardrober: {
    share: 0.01, medianOrdersPerYear: 9, returnMultiplier: 1.2, newAccountShare: 0.35, fraudType: 'wardrobing',
    targetCategories: ['apparel', 'shoes', 'jewellery', 'electronics'], fraudReturnProbability: 0.35, inspectionCatchRate: 0.55, targetAffinity: 0.7,
  },
  item_swapper: {
    share: 0.005, medianOrdersPerYear: 8, returnMultiplier: 1, newAccountShare: 0.55, fraudType: 'item_swap',
    targetCategories: ['electronics', 'jewellery'], fraudReturnProbability: 0.45, inspectionCatchRate: 0.6, targetAffinity: 0.6,
  },
  empty_boxer: {
    share: 0.004, medianOrdersPerYear: 8, returnMultiplier: 1, newAccountShare: 0.6, fraudType: 'empty_box',
    targetCategories: ['electronics', 'jewellery', 'beauty'], fraudReturnProbability: 0.45, inspectionCatchRate: 0.75, targetAffinity: 0.6,
  },
  refund_abuser: {
    share: 0.005, medianOrdersPerYear: 10, returnMultiplier: 1, newAccountShare: 0.2, fraudType: 'refund_abuse',
    targetCategories: ['electronics', 'home', 'shoes', 'jewellery'], fraudReturnProbability: 0.3, inspectionCatchRate: 0, targetAffinity: 0.4,
  },
  false_defect_claimer: {
    share: 0.011, medianOrdersPerYear: 8, returnMultiplier: 1, newAccountShare: 0.3, fraudType: 'false_defect_claim',
    targetCategories: ['electronics', 'home', 'toys', 'apparel', 'shoes'], fraudReturnProbability: 0.3, inspectionCatchRate: 0.8, targetAffinity: 0.4,
  },
};

/** Rings: groups of fraud accounts sharing an address, a payment instrument or a device, only partly. */
export const RING_PARAMETERS = {
  /** Rings per customer (0.002 = 200 rings for 100k customers). */
  ringsPerCustomer: 0.0015,
  minMembers: 3,
  maxMembers: 8,
  /** Probability that a member uses the ring's shared address, payment, device. */
  shareAddress: 0.55,
  sharePayment: 0.4,
  shareDevice: 0.45,
  behaviours: ['item_swapper', 'empty_boxer', 'refund_abuser', 'wardrober'] as readonly Behaviour[],
} as const;

/** Honest households: ordinary accounts sharing an address (so shared addresses are not proof of a ring). */
export const HOUSEHOLD_PARAMETERS = { shareInHouseholds: 0.12, minMembers: 2, maxMembers: 4, shareDevice: 0.3, sharePayment: 0.2 } as const;

export const ORDER_PARAMETERS = {
  /** Probability of 1, 2, 3, 4, 5, 6 lines. */
  linesPerOrder: [0.6, 0.24, 0.1, 0.03, 0.02, 0.01],
  /** Zipf exponent of product popularity (rank r has weight r^-s). */
  popularityExponent: 0.8,
  /** Share of customers paying in GBP (a UK storefront); the rest pay EUR. */
  gbpCustomerShare: 0.06,
  gbpPerEur: 0.86,
  /** Bracketers: probability that an order with a sized line gets 1–2 extra sizes of it. */
  bracketProbability: 0.6,
  /** Yearly order-rate cap per customer. */
  maxOrdersPerYear: 80,
  appChannelShare: 0.55,
} as const;

export const DELIVERY_PARAMETERS = {
  /** Median delivery time in days and its spread. */
  medianDays: 2.2,
  spread: 0.35,
  /** Share of parcels that are late (5–12 extra days). */
  lateShare: 0.04,
  /** Share of parcels lost (never delivered: a not_received claim and a goodwill refund). */
  lostShare: 0.003,
  /** Share of late parcels whose customer opens a not_received claim before delivery. */
  lateClaimShare: 0.3,
  /** Claims per delivered order when a line is later returned as damaged / wrong item. */
  damagedClaimShare: 0.4,
  wrongItemClaimShare: 0.4,
  /** missing_item claims per delivered multi-line order. */
  missingItemClaimShare: 0.003,
} as const;

export const RETURN_PARAMETERS = {
  /** Mean days from delivery to an ordinary return request (exponential, truncated inside the window). */
  meanRequestDelayDays: 5,
  /** Wardrobers request in this many final days of the window. */
  wardrobeLateDays: 10,
  /** Return methods and resolutions (probabilities). */
  methods: { mail: 0.6, drop_off: 0.3, pickup: 0.07, in_store: 0.03 },
  resolutions: { refund: 0.85, store_credit: 0.08, exchange: 0.07 },
  /** Ordinary returns withdrawn before shipping, or never shipped (expired). */
  withdrawnShare: 0.02,
  expiredShare: 0.025,
  /** Trusted customers get an instant refund at request: account age, orders before, return share. */
  trustMinAccountDays: 90,
  trustMinOrders: 3,
  trustMaxReturnShare: 0.6,
  /** Honest returns with a used condition, and warehouse mistakes that mark an honest return X_not_declared_item. */
  honestUsedShare: 0.04,
  honestMisreadShare: 0.002,
  /** Genuine defect claims where the inspector finds nothing (intermittent faults). */
  genuineDefectNoneFoundShare: 0.25,
  /** Share of returns whose customer leaves a rating. */
  feedbackShare: 0.3,
  /** Share of return lines with a free-text comment. */
  commentShare: 0.25,
} as const;

export const REVIEW_PARAMETERS = {
  /** Share of fraud customers a reviewer eventually decides on (after 2–4 fraudulent returns). */
  fraudReviewShare: 0.4,
  /** Share of heavy returners and bracketers flagged by naive rules and reviewed. */
  honestHeavyReviewShare: 0.08,
  /** Share of ordinary customers reviewed (random audits, complaints). */
  ordinaryReviewShare: 0.002,
  /** Share of decisions with the wrong verdict. */
  wrongVerdictShare: 0.08,
  reviewers: ['analyst-anna', 'analyst-ben', 'analyst-chloe', 'analyst-dev', 'analyst-eli', 'analyst-fatima'],
} as const;

export interface AnomalyRates {
  /** Each a probability per refunded (or refundable) return. */
  overRefund: number;
  duplicateRefund: number;
  missingRefund: number;
  lateRefund: number;
  refundWithoutReceipt: number;
  outsideWindow: number;
}

export const DEFAULT_ANOMALY_RATES: Readonly<AnomalyRates> = {
  overRefund: 0.003,
  duplicateRefund: 0.003,
  missingRefund: 0.004,
  lateRefund: 0.006,
  refundWithoutReceipt: 0.002,
  outsideWindow: 0.004,
};

export const EPISODE_PARAMETERS = {
  /** Defect episodes per 1000 products (at least 2). */
  episodesPerThousandProducts: 3,
  minFactor: 2,
  maxFactor: 5,
  minWeeks: 2,
  maxWeeks: 8,
  /** Share of episodes on best-sellers (top 5% by popularity); the rest on any product. */
  bestSellerShare: 0.5,
  /** Reason-mix shifts per 1000 products (at least 1). */
  shiftsPerThousandProducts: 1.5,
  minShiftShare: 0.25,
  maxShiftShare: 0.5,
  shiftRateMultiplier: 1.3,
} as const;

/** Day-of-week multipliers of order volume, Sunday first (getUTCDay order). Judgement call. */
export const WEEKDAY_DEMAND = [1.15, 1.1, 1.0, 0.97, 0.95, 0.9, 0.93] as const;
/** Share of orders per hour of day (UTC), evening peak. Judgement call. */
export const HOUR_WEIGHTS = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.2, 3.2, 3.8, 4.1, 4.3, 4.6, 4.4, 4.2, 4.2, 4.4, 4.8, 5.6, 6.4, 6.8, 6.2, 4.6, 2.4] as const;
