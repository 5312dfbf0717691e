import type { EventData } from '../domain/events/event-schemas.ts';
import type { Disposition, FraudType, InspectionCondition, InspectionFault, ReturnReason } from '../domain/events/vocabulary.ts';
import { RETURN_REASONS, type REFUND_METHODS } from '../domain/events/vocabulary.ts';
import type { SeededRandom } from '../models/random/seeded-random.ts';
import type { Customer } from './build-population.ts';
import type { Product } from './build-catalogue.ts';
import { FEEDBACK_COMMENTS } from './comment-phrases.ts';
import { planReviewDecision } from './plan-review-decision.ts';
import {
  DAY_MS,
  MINUTE_MS,
  formatTime,
  pick,
  scheduleEvent,
  uniform,
  windowDaysFor,
  type SimulationContext,
} from './simulation-context.ts';
import { DELIVERY_PARAMETERS, ORDER_PARAMETERS, RETURN_PARAMETERS } from './simulation-parameters.ts';
import type { AnomalyKind } from './simulation-truth.ts';

export interface ReturnLineSpec {
  lineId: string;
  product: Product;
  quantity: number;
  /** Paid per unit, in the order's currency. */
  unitPrice: number;
  reason: ReturnReason;
  comment?: string;
}

export interface ReturnSpec {
  customer: Customer;
  orderId: string;
  currency: 'EUR' | 'GBP';
  deliveredMs: number;
  lines: ReturnLineSpec[];
  /** Set when the return is the customer's fraud or abuse. */
  fraudType?: FraudType;
}

interface InspectionResult {
  condition: InspectionCondition;
  fault: InspectionFault;
  disposition: Disposition;
}

type RefundMethod = (typeof REFUND_METHODS)[number];

const FRAUD_CAUGHT_CONDITION: Partial<Record<FraudType, InspectionResult>> = {
  wardrobing: { condition: 'C_used', fault: 'customer', disposition: 'liquidate' },
  item_swap: { condition: 'X_not_declared_item', fault: 'none_found', disposition: 'destroy' },
  empty_box: { condition: 'X_not_declared_item', fault: 'none_found', disposition: 'recycle' },
};

function inspectHonestLine(random: SeededRandom, reason: ReturnReason): InspectionResult {
  if (random.next() < RETURN_PARAMETERS.honestMisreadShare) {
    // A warehouse mistake: honest customers sometimes get the fraud verdict too.
    return { condition: 'X_not_declared_item', fault: 'none_found', disposition: 'destroy' };
  }
  if (reason === 'logistics.arrived_damaged') {
    return { condition: 'D_damaged', fault: random.next() < 0.85 ? 'carrier' : 'none_found', disposition: random.next() < 0.5 ? 'refurbish' : 'liquidate' };
  }
  if (reason === 'logistics.wrong_item_sent') return { condition: 'A_new', fault: 'warehouse', disposition: 'restock' };
  if (RETURN_REASONS[reason].productFault) {
    const confirmShare = reason === 'description.not_as_described' ? 0.3 : reason === 'quality.poor_quality' ? 0.5 : 1 - RETURN_PARAMETERS.genuineDefectNoneFoundShare;
    if (random.next() < confirmShare) {
      return {
        condition: reason === 'quality.defective' ? 'D_damaged' : 'B_open_box',
        fault: 'manufacturing',
        disposition: random.next() < 0.6 ? 'return_to_vendor' : 'refurbish',
      };
    }
    return { condition: 'B_open_box', fault: 'none_found', disposition: 'b_stock' };
  }
  const u = random.next();
  if (u < RETURN_PARAMETERS.honestUsedShare) return { condition: 'C_used', fault: 'customer', disposition: 'liquidate' };
  if (u < 0.2) return { condition: 'B_open_box', fault: 'none_found', disposition: 'b_stock' };
  return { condition: 'A_new', fault: 'none_found', disposition: 'restock' };
}

function inspectFraudLine(random: SeededRandom, fraudType: FraudType, caught: boolean): InspectionResult {
  if (fraudType === 'false_defect_claim') {
    return caught
      ? { condition: random.next() < 0.6 ? 'A_new' : 'B_open_box', fault: 'none_found', disposition: 'restock' }
      : { condition: 'B_open_box', fault: 'manufacturing', disposition: 'return_to_vendor' };
  }
  if (caught) return FRAUD_CAUGHT_CONDITION[fraudType] ?? { condition: 'C_used', fault: 'customer', disposition: 'liquidate' };
  // Missed: the parcel passes as an ordinary return.
  return random.next() < 0.6 ? { condition: 'A_new', fault: 'none_found', disposition: 'restock' } : { condition: 'B_open_box', fault: 'none_found', disposition: 'b_stock' };
}

function parcelWeight(random: SeededRandom, lines: readonly ReturnLineSpec[], fraudType: FraudType | undefined): number {
  if (fraudType === 'empty_box') return Math.round(uniform(random, 60, 350));
  let grams = 150;
  for (const line of lines) grams += line.product.weightGrams * line.quantity;
  // A swapped item is something else of roughly similar heft.
  const factor = fraudType === 'item_swap' ? uniform(random, 0.5, 1.4) : uniform(random, 0.92, 1.08);
  return Math.round(grams * factor);
}

function requestDelayDays(random: SeededRandom, windowDays: number, fraudType: FraudType | undefined): number {
  if (fraudType === 'wardrobing') return windowDays - uniform(random, 0.3, RETURN_PARAMETERS.wardrobeLateDays);
  const delay = 0.2 - RETURN_PARAMETERS.meanRequestDelayDays * Math.log(1 - random.next());
  // Ordinary requests always fall inside the window, so outside_window is exactly the injected ones.
  return delay < windowDays - 0.3 ? delay : uniform(random, 0.2, windowDays - 0.5);
}

function chooseAnomaly(context: SimulationContext, instant: boolean): AnomalyKind | undefined {
  const rates = context.anomalyRates;
  const candidates: [AnomalyKind, number][] = instant
    ? [['over_refund', rates.overRefund], ['duplicate_refund', rates.duplicateRefund]]
    : [
        ['over_refund', rates.overRefund],
        ['duplicate_refund', rates.duplicateRefund],
        ['missing_refund', rates.missingRefund],
        ['late_refund', rates.lateRefund],
        ['refund_without_receipt', rates.refundWithoutReceipt],
      ];
  let u = context.random.next();
  for (const [kind, rate] of candidates) {
    u -= rate;
    if (u < 0) return kind;
  }
  return undefined;
}

function feedbackRating(random: SeededRandom, options: { daysToMoney: number; rejected: boolean; problem: boolean }): number {
  let rating = 4.5 + 0.6 * random.nextNormal();
  if (options.daysToMoney > 10) rating -= 0.8;
  if (options.daysToMoney > 20) rating -= 0.8;
  if (options.rejected) rating -= 2;
  if (options.problem) rating -= 1.5;
  return Math.min(5, Math.max(1, Math.round(rating)));
}

function scheduleFeedback(context: SimulationContext, spec: ReturnSpec, returnId: string, atMs: number, rating: number): void {
  const { random } = context;
  const data: EventData<'return.feedback'> = { returnId, customerId: spec.customer.customerId, submittedAt: formatTime(atMs), rating };
  if (random.next() < 0.4) {
    const pool = rating >= 4 ? FEEDBACK_COMMENTS.good : rating === 3 ? FEEDBACK_COMMENTS.middling : FEEDBACK_COMMENTS.bad;
    data.comment = pool[random.nextInt(pool.length)]!;
  }
  scheduleEvent(context, { customerId: spec.customer.customerId, timeMs: atMs, type: 'return.feedback', source: 'feedback-service', subject: returnId, data });
}

/**
 * Plans a whole return, from request to feedback: the request inside the window (or outside, when
 * injected), an instant refund for trusted customers or a refund after inspection, the parcel and
 * its weight, the inspection (which catches fraud only part of the time), rejection or refund, the
 * close, a rating, review decisions and the injected operations anomalies with their ground truth.
 */
export function planReturn(context: SimulationContext, spec: ReturnSpec): void {
  const { random, ids, policy } = context;
  const { customer, fraudType } = spec;
  const honest = fraudType === undefined;
  const windowDays = Math.min(...spec.lines.map((line) => windowDaysFor(policy, line.product.category.name)));
  const outsideWindow = honest && random.next() < context.anomalyRates.outsideWindow;
  const delayDays = outsideWindow ? windowDays + uniform(random, 0.5, 10) : requestDelayDays(random, windowDays, fraudType);
  const requestMs = spec.deliveredMs + delayDays * DAY_MS;
  if (requestMs >= context.endMs) return;

  const trusted =
    requestMs - customer.accountCreatedMs >= RETURN_PARAMETERS.trustMinAccountDays * DAY_MS &&
    customer.orders >= RETURN_PARAMETERS.trustMinOrders &&
    customer.returns / customer.orders <= RETURN_PARAMETERS.trustMaxReturnShare;
  customer.returns++;
  const returnId = ids.id('ret');
  const method = honest ? pick(random, RETURN_PARAMETERS.methods) : random.next() < 0.7 ? 'mail' : 'drop_off';
  const resolution = honest ? pick(random, RETURN_PARAMETERS.resolutions) : 'refund';
  const refundMethod: RefundMethod =
    resolution === 'exchange' ? 'exchange' : resolution === 'store_credit' ? 'store_credit' : random.next() < 0.95 ? 'original_payment' : 'gift_card';
  const instant = trusted && resolution !== 'exchange' && (method === 'mail' || method === 'drop_off');
  const value = spec.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  const valueEurCents = spec.currency === 'GBP' ? Math.round(value / ORDER_PARAMETERS.gbpPerEur) : value;

  // A claim often comes before a return for damage or a wrong item.
  for (const line of spec.lines) {
    const claimShare =
      line.reason === 'logistics.arrived_damaged' ? DELIVERY_PARAMETERS.damagedClaimShare : line.reason === 'logistics.wrong_item_sent' ? DELIVERY_PARAMETERS.wrongItemClaimShare : 0;
    if (honest && claimShare > 0 && random.next() < claimShare) {
      const claimMs = spec.deliveredMs + (requestMs - spec.deliveredMs) * uniform(random, 0.1, 0.9);
      const claimId = ids.id('clm');
      scheduleEvent(context, {
        customerId: customer.customerId,
        timeMs: claimMs,
        type: 'claim.opened',
        source: 'customer-service',
        subject: claimId,
        data: { claimId, orderId: spec.orderId, customerId: customer.customerId, openedAt: formatTime(claimMs), kind: line.reason === 'logistics.arrived_damaged' ? 'arrived_damaged' : 'wrong_item' },
      });
      break;
    }
  }

  scheduleEvent(context, {
    customerId: customer.customerId,
    timeMs: requestMs,
    type: 'return.requested',
    source: 'returns-service',
    subject: returnId,
    data: {
      returnId,
      orderId: spec.orderId,
      customerId: customer.customerId,
      requestedAt: formatTime(requestMs),
      method,
      resolution,
      lines: spec.lines.map((line) =>
        line.comment === undefined
          ? { lineId: line.lineId, productId: line.product.productId, quantity: line.quantity, reason: line.reason }
          : { lineId: line.lineId, productId: line.product.productId, quantity: line.quantity, reason: line.reason, comment: line.comment },
      ),
    },
    returnStats: { valueEurCents, categories: spec.lines.map((line) => line.product.category.name), fraudulent: !honest },
  });
  if (outsideWindow) {
    context.anomalies.push({ returnId, kind: 'outside_window', customerId: customer.customerId, cause: 'injected', observableMs: requestMs });
  }

  const refund = (atMs: number, amount: number): void => {
    const refundId = ids.id('rfd');
    scheduleEvent(context, {
      customerId: customer.customerId,
      timeMs: atMs,
      type: 'refund.issued',
      source: 'payments-service',
      subject: refundId,
      data: { refundId, returnId, orderId: spec.orderId, customerId: customer.customerId, issuedAt: formatTime(atMs), amount, currency: spec.currency, method: refundMethod },
    });
  };
  const close = (atMs: number, outcome: EventData<'return.closed'>['outcome']): void => {
    scheduleEvent(context, { customerId: customer.customerId, timeMs: atMs, type: 'return.closed', source: 'returns-service', subject: returnId, data: { returnId, closedAt: formatTime(atMs), outcome } });
  };

  let caught = false;
  let inspectedInStream = false;
  if (fraudType !== undefined) {
    customer.fraudReturns++;
    if (customer.reviewAfterReturns > 0 && !customer.reviewed && customer.fraudReturns >= customer.reviewAfterReturns) {
      planReviewDecision(context, customer, requestMs);
    }
  } else if (customer.fraudType === undefined && customer.reviewAfterReturns > 0 && !customer.reviewed && customer.returns >= customer.reviewAfterReturns) {
    planReviewDecision(context, customer, requestMs);
  }

  const recordFraud = (): void => {
    if (fraudType === undefined) return;
    context.fraudulentReturns.push({
      returnId,
      customerId: customer.customerId,
      orderId: spec.orderId,
      fraudType,
      requestedAt: formatTime(requestMs),
      value,
      currency: spec.currency,
      valueEurCents,
      caughtAtInspection: caught && inspectedInStream,
    });
  };

  if (fraudType === 'refund_abuse') {
    // The parcel is never sent. With an instant refund the money is gone; otherwise the return lapses.
    if (instant) {
      const refundMs = requestMs + uniform(random, 2, 40) * MINUTE_MS;
      refund(refundMs, value);
      context.anomalies.push({
        returnId,
        kind: 'refund_without_receipt',
        customerId: customer.customerId,
        cause: 'refund_abuse',
        observableMs: refundMs + policy.refundSlaDays * DAY_MS,
      });
    } else {
      close(requestMs + 30 * DAY_MS, 'expired');
    }
    recordFraud();
    return;
  }

  if (honest && !instant && !outsideWindow) {
    const u = random.next();
    if (u < RETURN_PARAMETERS.withdrawnShare) {
      close(requestMs + uniform(random, 0.5, 4) * DAY_MS, 'withdrawn');
      return;
    }
    if (u < RETURN_PARAMETERS.withdrawnShare + RETURN_PARAMETERS.expiredShare) {
      close(requestMs + 30 * DAY_MS, 'expired');
      return;
    }
  }

  const anomaly = honest ? chooseAnomaly(context, instant) : undefined;
  // An over-refund exceeds what was paid for the returned lines, whatever a partial refund would have been.
  const amountFor = (base: number): number => (anomaly === 'over_refund' ? value + Math.max(1, Math.round(value * uniform(random, 0.1, 1))) : base);
  const issueRefund = (atMs: number, amount: number): void => {
    refund(atMs, amount);
    if (anomaly === 'over_refund') {
      context.anomalies.push({ returnId, kind: 'over_refund', customerId: customer.customerId, cause: 'injected', observableMs: atMs });
    }
    if (anomaly === 'duplicate_refund') {
      const againMs = atMs + uniform(random, 0.02, 3) * DAY_MS;
      refund(againMs, amount);
      context.anomalies.push({ returnId, kind: 'duplicate_refund', customerId: customer.customerId, cause: 'injected', observableMs: againMs });
    }
  };

  let refundedMs: number | undefined;
  if (instant) {
    refundedMs = requestMs + uniform(random, 2, 40) * MINUTE_MS;
    issueRefund(refundedMs, amountFor(value));
  }

  if (anomaly === 'refund_without_receipt') {
    // Refunded on a carrier scan; the parcel is lost on its way back.
    const refundMs = requestMs + uniform(random, 0.5, 3) * DAY_MS;
    refund(refundMs, value);
    close(refundMs + uniform(random, 0.1, 1) * DAY_MS, 'refunded');
    context.anomalies.push({
      returnId,
      kind: 'refund_without_receipt',
      customerId: customer.customerId,
      cause: 'injected',
      observableMs: refundMs + policy.refundSlaDays * DAY_MS,
    });
    return;
  }

  const receivedMs = requestMs + uniform(random, 0.1, 4) * DAY_MS + uniform(random, 1, 5) * DAY_MS;
  scheduleEvent(context, {
    customerId: customer.customerId,
    timeMs: receivedMs,
    type: 'return.received',
    source: 'returns-service',
    subject: returnId,
    data: {
      returnId,
      receivedAt: formatTime(receivedMs),
      lines: spec.lines.map((line) => ({ lineId: line.lineId, quantity: line.quantity })),
      weightGrams: parcelWeight(random, spec.lines, fraudType),
    },
  });

  const inspectedMs = receivedMs + uniform(random, 0.1, 3) * DAY_MS;
  inspectedInStream = inspectedMs < context.endMs;
  caught = fraudType !== undefined && random.next() < (customer.profile.inspectionCatchRate ?? 0);
  const results = spec.lines.map((line) => (fraudType === undefined ? inspectHonestLine(random, line.reason) : inspectFraudLine(random, fraudType, caught)));
  scheduleEvent(context, {
    customerId: customer.customerId,
    timeMs: inspectedMs,
    type: 'return.inspected',
    source: 'warehouse-service',
    subject: returnId,
    data: {
      returnId,
      inspectedAt: formatTime(inspectedMs),
      lines: spec.lines.map((line, index) => ({ lineId: line.lineId, ...results[index]! })),
    },
  });
  recordFraud();

  const undeclared = results.some((result) => result.condition === 'X_not_declared_item');
  const used = results.some((result) => result.condition === 'C_used');
  let rejected = false;
  let amount = value;
  if (undeclared || (used && fraudType === 'wardrobing' && random.next() < 0.5)) rejected = true;
  else if (used && (fraudType === 'wardrobing' || random.next() < 0.3)) amount = Math.floor(value * uniform(random, 0.5, 0.9));

  if (refundedMs !== undefined) {
    // Already refunded at request: the inspection result no longer changes the money.
    const closedMs = inspectedMs + uniform(random, 0.05, 1) * DAY_MS;
    close(closedMs, 'refunded');
    if (random.next() < RETURN_PARAMETERS.feedbackShare) {
      scheduleFeedback(context, spec, returnId, closedMs + uniform(random, 0.1, 5) * DAY_MS, feedbackRating(random, { daysToMoney: 0, rejected: false, problem: false }));
    }
    return;
  }
  if (rejected) {
    const closedMs = inspectedMs + uniform(random, 0.05, 1) * DAY_MS;
    close(closedMs, 'rejected');
    if (random.next() < RETURN_PARAMETERS.feedbackShare) {
      scheduleFeedback(context, spec, returnId, closedMs + uniform(random, 0.1, 5) * DAY_MS, feedbackRating(random, { daysToMoney: 30, rejected: true, problem: false }));
    }
    return;
  }
  const slaMs = policy.refundSlaDays * DAY_MS;
  if (anomaly === 'missing_refund') {
    context.anomalies.push({ returnId, kind: 'missing_refund', customerId: customer.customerId, cause: 'injected', observableMs: receivedMs + slaMs });
    if (random.next() < RETURN_PARAMETERS.feedbackShare * 2) {
      scheduleFeedback(context, spec, returnId, receivedMs + uniform(random, 15, 30) * DAY_MS, feedbackRating(random, { daysToMoney: 30, rejected: false, problem: true }));
    }
    return;
  }
  const refundMs = anomaly === 'late_refund' ? receivedMs + slaMs + uniform(random, 1, 20) * DAY_MS : inspectedMs + uniform(random, 0.05, 2) * DAY_MS;
  if (anomaly === 'late_refund') {
    context.anomalies.push({ returnId, kind: 'late_refund', customerId: customer.customerId, cause: 'injected', observableMs: refundMs, missingFromMs: receivedMs + slaMs });
  }
  issueRefund(refundMs, amountFor(amount));
  const closedMs = refundMs + uniform(random, 0.05, 1) * DAY_MS;
  close(closedMs, 'refunded');
  if (random.next() < RETURN_PARAMETERS.feedbackShare) {
    const rating = feedbackRating(random, { daysToMoney: (refundMs - requestMs) / DAY_MS, rejected: false, problem: anomaly === 'late_refund' || amount < value });
    scheduleFeedback(context, spec, returnId, closedMs + uniform(random, 0.1, 5) * DAY_MS, rating);
  }
}
