import type { EventData } from '../domain/events/event-schemas.ts';
import type { ReturnReason } from '../domain/events/vocabulary.ts';
import type { SeededRandom } from '../models/random/seeded-random.ts';
import { sampleReason, type Product } from './build-catalogue.ts';
import type { Customer } from './build-population.ts';
import { RETURN_COMMENTS } from './comment-phrases.ts';
import { planReturn, type ReturnLineSpec } from './plan-return.ts';
import { DAY_MS, formatTime, scheduleEvent, uniform, type SimulationContext } from './simulation-context.ts';
import { DELIVERY_PARAMETERS, ORDER_PARAMETERS, RETURN_PARAMETERS } from './simulation-parameters.ts';

type OrderLine = EventData<'order.placed'>['lines'][number];

interface PlannedLine {
  line: OrderLine;
  product: Product;
  /** Bracketing: the extra sizes the customer means to send back, with the fit reason. */
  bracketReturn?: ReturnReason;
  bracketKept?: boolean;
}

const WARDROBE_REASONS: readonly ReturnReason[] = ['preference.style', 'preference.changed_mind', 'fit.too_large', 'fit.too_small'];
const FRAUD_REASONS: Readonly<Record<string, readonly ReturnReason[]>> = {
  item_swap: ['quality.defective', 'preference.changed_mind', 'description.not_as_described'],
  empty_box: ['preference.changed_mind', 'quality.defective', 'preference.ordered_by_mistake'],
  refund_abuse: ['preference.changed_mind', 'quality.defective', 'logistics.arrived_damaged'],
  false_defect_claim: ['quality.defective', 'quality.defective', 'quality.poor_quality', 'description.not_as_described'],
};

function pickProduct(context: SimulationContext, customer: Customer): Product {
  const { random, catalogue } = context;
  const targets = customer.profile.targetCategories;
  if (targets !== undefined && random.next() < (customer.profile.targetAffinity ?? 0)) {
    const entry = catalogue.byCategory.get(targets[random.nextInt(targets.length)]!);
    if (entry !== undefined && entry.indexes.length > 0) return catalogue.products[entry.indexes[entry.table.sample(random)]!]!;
  }
  return catalogue.products[catalogue.byPopularity.sample(random)]!;
}

function pickSizeIndex(random: SeededRandom, count: number): number {
  // Middle sizes sell most.
  const index = Math.round((count - 1) / 2 + random.nextNormal() * (count / 5));
  return Math.min(count - 1, Math.max(0, index));
}

function unitPriceFor(product: Product, currency: 'EUR' | 'GBP'): number {
  return currency === 'GBP' ? Math.round(product.priceCents * ORDER_PARAMETERS.gbpPerEur) : product.priceCents;
}

function makeLine(context: SimulationContext, product: Product, lineNumber: number, currency: 'EUR' | 'GBP', sizeIndex?: number): OrderLine {
  const { random } = context;
  const maxQuantity = product.category.maxQuantity;
  const line: OrderLine = {
    lineId: `ln${lineNumber}`,
    productId: product.productId,
    sellerId: product.sellerId,
    category: product.category.name,
    quantity: maxQuantity > 1 && random.next() < 0.1 ? 2 + random.nextInt(maxQuantity - 1) : 1,
    unitPrice: unitPriceFor(product, currency),
  };
  const variant: { size?: string; color?: string } = {};
  if (product.sizes !== undefined) variant.size = product.sizes[sizeIndex ?? pickSizeIndex(random, product.sizes.length)]!;
  if (product.colours !== undefined) variant.color = product.colours[random.nextInt(product.colours.length)]!;
  if (variant.size !== undefined || variant.color !== undefined) line.variant = variant;
  return line;
}

function commentFor(random: SeededRandom, reason: ReturnReason): string | undefined {
  if (random.next() >= RETURN_PARAMETERS.commentShare) return undefined;
  const pool = RETURN_COMMENTS[reason];
  return pool === undefined ? undefined : pool[random.nextInt(pool.length)];
}

function buildLines(context: SimulationContext, customer: Customer): PlannedLine[] {
  const { random } = context;
  const weights = ORDER_PARAMETERS.linesPerOrder;
  let count = 1;
  let u = random.next();
  for (let index = 0; index < weights.length; index++) {
    u -= weights[index]!;
    if (u < 0) {
      count = index + 1;
      break;
    }
  }
  const lines: PlannedLine[] = [];
  for (let index = 0; index < count; index++) {
    const product = pickProduct(context, customer);
    lines.push({ line: makeLine(context, product, lines.length + 1, customer.currency), product });
  }
  if (customer.behaviour === 'bracketer' && random.next() < ORDER_PARAMETERS.bracketProbability) {
    const sized = lines.find((planned) => planned.product.sizes !== undefined);
    if (sized !== undefined) {
      const sizes = sized.product.sizes!;
      const base = sizes.indexOf(sized.line.variant!.size!);
      const neighbours = [base - 1, base + 1, base + 2].filter((index) => index >= 0 && index < sizes.length);
      const extra = Math.min(neighbours.length, 1 + random.nextInt(2));
      const group: { planned: PlannedLine; sizeIndex: number }[] = [{ planned: sized, sizeIndex: base }];
      for (let index = 0; index < extra; index++) {
        const sizeIndex = neighbours[index]!;
        const line = makeLine(context, sized.product, lines.length + 1, customer.currency, sizeIndex);
        line.quantity = 1;
        if (sized.line.variant?.color !== undefined) line.variant = { ...line.variant, color: sized.line.variant.color };
        const planned: PlannedLine = { line, product: sized.product };
        lines.push(planned);
        group.push({ planned, sizeIndex });
      }
      sized.line.quantity = 1;
      const kept = group[random.nextInt(group.length)]!;
      for (const member of group) {
        if (member === kept) member.planned.bracketKept = true;
        else member.planned.bracketReturn = member.sizeIndex < kept.sizeIndex ? 'fit.too_small' : 'fit.too_large';
      }
    }
  }
  return lines;
}

function deliveryDays(context: SimulationContext, late: boolean): number {
  const { random } = context;
  const days = DELIVERY_PARAMETERS.medianDays * Math.exp(DELIVERY_PARAMETERS.spread * random.nextNormal());
  return Math.min(9, Math.max(0.6, days)) + (late ? uniform(random, 5, 12) : 0);
}

/** Delivery happens between 08:00 and 20:00 UTC. */
function deliveryTime(context: SimulationContext, placedMs: number, days: number): number {
  const target = placedMs + days * DAY_MS;
  const dayStart = Math.floor(target / DAY_MS) * DAY_MS;
  let deliveredMs = dayStart + uniform(context.random, 8, 20) * 3_600_000;
  if (deliveredMs < placedMs + 12 * 3_600_000) deliveredMs += DAY_MS;
  return deliveredMs;
}

/**
 * Plans one order and everything it causes: the order, its delivery (on time, late, or lost), claims,
 * and the returns of its lines — ordinary returns by reason profile, defect episodes and reason
 * shifts, bracketing, and the customer's fraud if they have one.
 */
export function planOrder(context: SimulationContext, customer: Customer, placedMs: number): void {
  const { random, ids } = context;
  customer.orders++;
  const orderId = ids.id('ord');
  const planned = buildLines(context, customer);
  const addressHash =
    random.next() < 0.9 ? customer.addressHashes[0]! : random.next() < 0.5 ? customer.addressHashes[random.nextInt(customer.addressHashes.length)]! : ids.hex(64);
  const placed: EventData<'order.placed'> = {
    orderId,
    customerId: customer.customerId,
    placedAt: formatTime(placedMs),
    currency: customer.currency,
    channel: customer.channelApp === (random.next() < 0.85) ? 'app' : 'web',
    addressHash,
    paymentFingerprint: customer.paymentFingerprints[random.next() < 0.8 ? 0 : random.nextInt(customer.paymentFingerprints.length)]!,
    deviceId: customer.deviceIds[random.next() < 0.8 ? 0 : random.nextInt(customer.deviceIds.length)]!,
    emailHash: customer.emailHash,
    lines: planned.map((item) => item.line),
  };
  scheduleEvent(context, { customerId: customer.customerId, timeMs: placedMs, type: 'order.placed', source: 'checkout-service', subject: orderId, data: placed });
  const orderTotal = planned.reduce((sum, item) => sum + item.line.unitPrice * item.line.quantity, 0);

  const claim = (atMs: number, kind: EventData<'claim.opened'>['kind']): string => {
    const claimId = ids.id('clm');
    scheduleEvent(context, {
      customerId: customer.customerId,
      timeMs: atMs,
      type: 'claim.opened',
      source: 'customer-service',
      subject: claimId,
      data: { claimId, orderId, customerId: customer.customerId, openedAt: formatTime(atMs), kind },
    });
    return claimId;
  };
  const goodwillRefund = (atMs: number): void => {
    // No returnId: a goodwill refund for a parcel, not a return.
    const refundId = ids.id('rfd');
    scheduleEvent(context, {
      customerId: customer.customerId,
      timeMs: atMs,
      type: 'refund.issued',
      source: 'payments-service',
      subject: refundId,
      data: { refundId, orderId, customerId: customer.customerId, issuedAt: formatTime(atMs), amount: orderTotal, currency: customer.currency, method: 'original_payment' },
    });
  };

  if (random.next() < DELIVERY_PARAMETERS.lostShare) {
    const claimMs = placedMs + uniform(random, 8, 12) * DAY_MS;
    claim(claimMs, 'not_received');
    goodwillRefund(claimMs + uniform(random, 1, 4) * DAY_MS);
    return;
  }
  const late = random.next() < DELIVERY_PARAMETERS.lateShare;
  const days = deliveryDays(context, late);
  const deliveredMs = deliveryTime(context, placedMs, days);
  if (late && random.next() < DELIVERY_PARAMETERS.lateClaimShare) {
    claim(placedMs + (deliveredMs - placedMs) * uniform(random, 0.55, 0.9), 'not_received');
  }
  scheduleEvent(context, {
    customerId: customer.customerId,
    timeMs: deliveredMs,
    type: 'order.delivered',
    source: 'delivery-service',
    subject: orderId,
    data: { orderId, customerId: customer.customerId, deliveredAt: formatTime(deliveredMs) },
  });
  if (planned.length > 1 && random.next() < DELIVERY_PARAMETERS.missingItemClaimShare) {
    claim(deliveredMs + uniform(random, 0.5, 4) * DAY_MS, 'missing_item');
  }

  const profile = customer.profile;
  const fraudType = profile.fraudType;
  // Refund abusers build a clean history first, so that they are trusted with instant refunds.
  const fraudActive = fraudType !== undefined && (fraudType !== 'refund_abuse' || customer.orders > RETURN_PARAMETERS.trustMinOrders);
  if (fraudActive && fraudType === 'refund_abuse' && random.next() < 0.12) {
    // Claim abuse: "never arrived" although it was delivered.
    const claimMs = deliveredMs + uniform(random, 1, 5) * DAY_MS;
    const claimId = claim(claimMs, 'not_received');
    if (claimMs < context.endMs) {
      context.fraudulentClaims.push({ claimId, customerId: customer.customerId, orderId, fraudType: 'claim_abuse', openedAt: formatTime(claimMs) });
    }
    if (random.next() < 0.6) goodwillRefund(claimMs + uniform(random, 1, 5) * DAY_MS);
    return;
  }

  const honestLines: ReturnLineSpec[] = [];
  const fraudLines: ReturnLineSpec[] = [];
  for (const { line, product, bracketReturn, bracketKept } of planned) {
    const base = { lineId: line.lineId, product, unitPrice: line.unitPrice };
    if (bracketReturn !== undefined) {
      const comment = commentFor(random, bracketReturn);
      honestLines.push(comment === undefined ? { ...base, quantity: 1, reason: bracketReturn } : { ...base, quantity: 1, reason: bracketReturn, comment });
      continue;
    }
    if (bracketKept === true) continue;
    if (fraudActive && profile.targetCategories!.includes(product.category.name) && random.next() < profile.fraudReturnProbability!) {
      const reasons = fraudType === 'wardrobing' ? (product.sizes === undefined ? WARDROBE_REASONS.slice(0, 2) : WARDROBE_REASONS) : FRAUD_REASONS[fraudType]!;
      const reason = reasons[random.nextInt(reasons.length)]!;
      const comment = commentFor(random, reason);
      fraudLines.push(comment === undefined ? { ...base, quantity: line.quantity, reason } : { ...base, quantity: line.quantity, reason, comment });
      continue;
    }
    let productFaultMultiplier = 1;
    let episodeIssue: string | undefined;
    for (const episode of product.episodes) {
      if (deliveredMs >= episode.startMs && deliveredMs < episode.endMs) {
        productFaultMultiplier = episode.factor;
        episodeIssue = episode.issue;
      }
    }
    let otherMultiplier = 1;
    let shiftReason: ReturnReason | undefined;
    let shiftShare = 0;
    for (const shift of product.shifts) {
      if (deliveredMs >= shift.startMs && deliveredMs < shift.endMs) {
        otherMultiplier = shift.rateMultiplier;
        shiftReason = shift.reason;
        shiftShare = shift.addedShare;
      }
    }
    const rate = product.returnRate * profile.returnMultiplier;
    const productFaultProbability = rate * product.productFaultShare * productFaultMultiplier;
    const otherProbability = rate * (1 - product.productFaultShare) * otherMultiplier;
    const scale = Math.min(1, 0.95 / (productFaultProbability + otherProbability));
    const u = random.next();
    let reason: ReturnReason | undefined;
    let comment: string | undefined;
    if (u < productFaultProbability * scale) {
      reason = sampleReason(product.productFaultReasons, random);
      comment = episodeIssue !== undefined && random.next() < 0.5 ? episodeIssue : commentFor(random, reason);
    } else if (u < (productFaultProbability + otherProbability) * scale) {
      reason = shiftReason !== undefined && random.next() < shiftShare ? shiftReason : sampleReason(product.otherReasons, random);
      comment = commentFor(random, reason);
    }
    if (reason === undefined) continue;
    const quantity = line.quantity > 1 && random.next() < 0.3 ? 1 : line.quantity;
    honestLines.push(comment === undefined ? { ...base, quantity, reason } : { ...base, quantity, reason, comment });
  }
  if (honestLines.length > 0) planReturn(context, { customer, orderId, currency: customer.currency, deliveredMs, lines: honestLines });
  if (fraudLines.length > 0) planReturn(context, { customer, orderId, currency: customer.currency, deliveredMs, lines: fraudLines, fraudType: fraudType! });
}
