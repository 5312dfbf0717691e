/**
 * Random, contract-valid event streams for property tests (test/scenarios/). Unlike the simulator
 * (simulator/), which tells a realistic story in time order, this generator makes the shapes a real
 * producer may send and the simulator never does: events in any order (refunds before their return,
 * deliveries before their order), several deliveries of one line, returns split over several
 * requests, returns of undelivered lines, goodwill and partial refunds, unicode and 128-character ids,
 * timestamps at midnight UTC, across daylight-saving changes and on 29 February, spelled with
 * offsets, fractions and lower-case `t`/`z`, exact and re-serialised duplicates, and conflicting ones,
 * copies under a new event id (as a producer minting an id per retry sends them) of every type, and
 * feedback given twice at the same time with another rating.
 *
 * It also says what ingest must make of the stream (`expected`), computed from the rules of
 * docs/events.md and docs/ingest.md alone — not from the code under test.
 *
 * @example
 * const stream = generateContractEvents(7);
 * // stream.lines: NDJSON lines in arrival order; stream.expected: { stored, duplicates, quarantined }
 */
import {
  CLAIM_KINDS,
  DISPOSITIONS,
  FRAUD_TYPES,
  INSPECTION_CONDITIONS,
  INSPECTION_FAULTS,
  REFUND_METHODS,
  RETURN_METHODS,
  RETURN_OUTCOMES,
  RETURN_REASON_CODES,
  RETURN_RESOLUTIONS,
  VERDICTS,
} from '../../domain/events/vocabulary.ts';
import { createSeededRandom, type SeededRandom } from '../../models/random/seeded-random.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Json = Record<string, unknown>;

export interface GeneratedStream {
  seed: number;
  /** The shapes this seed drew, for the failure message. */
  shapes: string[];
  /** One message per line, in arrival order, exactly as a file for `retour import` would hold them. */
  lines: string[];
  /** What ingest must report for `lines`, by the documented rules. */
  expected: { stored: number; duplicates: number; quarantined: Partial<Record<QuarantineCode, number>> };
  /** The earliest and latest instant any event is about (ms). */
  firstTimeMs: number;
  lastTimeMs: number;
  customerIds: string[];
  productIds: string[];
  categories: string[];
  sellerIds: string[];
}

type QuarantineCode = 'RETOUR_EVENT_ID_CONFLICT' | 'RETOUR_EVENT_REFERENCE_INVALID' | 'RETOUR_EVENT_ENTITY_CONFLICT';

/** The types that create an entity under an id of its own, and that id's member of `data` (docs/ingest.md). */
const ENTITY_ID_FIELDS: Readonly<Record<string, string>> = {
  'order.placed': 'orderId',
  'return.requested': 'returnId',
  'refund.issued': 'refundId',
  'claim.opened': 'claimId',
  'risk.decision': 'decisionId',
};

interface PlannedEvent {
  id: string;
  type: string;
  /** The instant the event is about (its fact time). */
  atMs: number;
  envelope: Json;
}

/** Anchors with a calendar edge near them: leap day, daylight-saving changes (EU, US), a year's end. */
const ANCHORS = [
  '2028-02-28T00:00:00Z',
  '2026-03-28T00:00:00Z',
  '2026-10-24T00:00:00Z',
  '2026-03-07T00:00:00Z',
  '2025-12-31T00:00:00Z',
  '2026-06-15T00:00:00Z',
];
// KWD: three minor digits. Not XTS, ISO 4217's testing code: the contract refuses it (docs/events.md § Currencies).
const CURRENCIES = ['EUR', 'USD', 'JPY', 'GBP', 'CHF', 'KWD'];
const CATEGORIES = ['apparel', 'electronics', 'home & garden', 'jouets-éveil', '食品', 'x'];
const OFFSETS = ['+01:00', '+02:00', '-05:00', '+05:30', '+14:00', '-12:00', '+00:00'];

function pick<T>(random: SeededRandom, values: readonly T[]): T {
  return values[random.nextInt(values.length)]!;
}

function chance(random: SeededRandom, probability: number): boolean {
  return random.next() < probability;
}

/** An RFC 3339 spelling of the instant: Z, a fraction (up to nanoseconds), an offset, or lower case. */
function formatInstant(random: SeededRandom, ms: number, style: 'plain' | 'varied'): string {
  const plain = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (style === 'plain') return plain;
  const roll = random.next();
  if (roll < 0.45) return plain;
  if (roll < 0.55) return new Date(ms).toISOString();
  if (roll < 0.62) return plain.replace('Z', '.000000000Z');
  if (roll < 0.68) return plain.replace('T', 't').replace('Z', 'z');
  if (roll < 0.72) return plain.replace('T', ' ');
  const offset = pick(random, OFFSETS);
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(ms + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${local}${offset}`;
}

class IdMaker {
  private counter = 0;
  constructor(
    private readonly random: SeededRandom,
    private readonly style: 'plain' | 'unicode' | 'long' | 'mixed',
  ) {}

  make(prefix: string): string {
    const n = ++this.counter;
    const style = this.style === 'mixed' ? pick(this.random, ['plain', 'unicode', 'long', 'odd'] as const) : this.style;
    switch (style) {
      case 'plain':
        return `${prefix}_${n}`;
      case 'unicode':
        return `${prefix}-ü-客户-${n}-🚀`;
      case 'long': {
        const head = `${prefix}_${n}_`;
        return head + 'Z'.repeat(128 - head.length);
      }
      case 'odd':
        // Characters that mean something in URLs, SQL and JSON.
        return `${prefix} ${n}/a?b=c&d#e%20'"\\`;
    }
  }
}

function shuffleInPlace<T>(random: SeededRandom, values: T[]): T[] {
  for (let index = values.length - 1; index > 0; index--) {
    const other = random.nextInt(index + 1);
    [values[index], values[other]] = [values[other]!, values[index]!];
  }
  return values;
}

/** The same JSON value with every object's keys in a random order. */
function reorderKeys(random: SeededRandom, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => reorderKeys(random, item));
  if (typeof value !== 'object' || value === null) return value;
  const entries = shuffleInPlace(random, Object.entries(value as Json));
  return Object.fromEntries(entries.map(([key, item]) => [key, reorderKeys(random, item)]));
}

/** JSON text with every non-ASCII character written as a \u escape (the same JSON value). */
function escapeNonAscii(text: string): string {
  return text.replace(/[\u007f-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The same JSON value with every object's keys sorted. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value as Json)
      .sort()
      .map((key) => [key, sortKeys((value as Json)[key])]),
  );
}

/** A canonical text of the value with null envelope attributes dropped, for the duplicate rule. */
function canonical(envelope: Json): string {
  const withoutNulls = Object.fromEntries(Object.entries(envelope).filter(([, value]) => value !== null));
  return JSON.stringify(sortKeys(withoutNulls));
}

interface OrderPlan {
  orderId: string;
  customerId: string;
  currency: string;
  placedMs: number;
  total: number;
  lines: { lineId: string; productId: string; quantity: number; unitPrice: number }[];
}

export interface GenerateOptions {
  /** Roughly how many orders (default 10–40, drawn from the seed). */
  orders?: number;
}

export function generateContractEvents(seed: number, options: GenerateOptions = {}): GeneratedStream {
  const random = createSeededRandom(seed);
  const shapes: string[] = [];
  const note = (shape: string): void => {
    if (!shapes.includes(shape)) shapes.push(shape);
  };

  const idStyle = pick(random, ['plain', 'unicode', 'long', 'mixed', 'mixed'] as const);
  note(`ids:${idStyle}`);
  const ids = new IdMaker(random, idStyle);
  const span = pick(random, ['one-day', 'weeks', 'years'] as const);
  note(`span:${span}`);
  const spanMs = span === 'one-day' ? DAY : span === 'weeks' ? 60 * DAY : 800 * DAY;
  // Delays between the steps of one order scale with the span, so a one-day stream stays in one day.
  const stepMs = span === 'one-day' ? HOUR : DAY;
  const anchorMs = Date.parse(pick(random, ANCHORS));
  const timeStyle = chance(random, 0.6) ? 'varied' : 'plain';
  note(`times:${timeStyle}`);
  const midnightShare = chance(random, 0.3) ? 0.5 : 0.05;
  const instant = (ms: number): number => (chance(random, midnightShare) ? Math.floor(ms / DAY) * DAY : Math.floor(ms / 1000) * 1000);
  const format = (ms: number): string => formatInstant(random, ms, timeStyle);
  const multiCurrency = chance(random, 0.4);
  if (multiCurrency) note('currencies:several');

  const customerCount = chance(random, 0.2) ? 1 : 2 + random.nextInt(12);
  if (customerCount === 1) note('customers:one');
  const customers = Array.from({ length: customerCount }, () => ids.make('cus'));
  // A few shared pseudonymised attributes, so some customers are linked (rings).
  const attributePool = (prefix: string) => Array.from({ length: 1 + random.nextInt(Math.max(1, customerCount)) }, () => ids.make(prefix));
  const addresses = attributePool('addr');
  const payments = attributePool('pay');
  const devices = attributePool('dev');

  const productCount = 1 + random.nextInt(8);
  const products = Array.from({ length: productCount }, () => ({
    productId: ids.make('prd'),
    category: pick(random, CATEGORIES),
    sellerId: chance(random, 0.3) ? undefined : ids.make('sel'),
    unitPrice: chance(random, 0.1) ? 0 : 1 + random.nextInt(50_000),
  }));
  if (products.some((product) => product.sellerId === undefined)) note('sellers:missing');

  const planned: PlannedEvent[] = [];
  const event = (type: string, atMs: number, data: Json): PlannedEvent => {
    const id = ids.make('evt');
    const envelope: Json = { specversion: '1.0', id, source: pick(random, ['orders', 'warehouse', 'payments', 'svc-ü']), type, time: format(atMs) };
    if (chance(random, 0.5)) envelope['subject'] = String(data['orderId'] ?? data['returnId'] ?? id);
    else if (chance(random, 0.1)) envelope['subject'] = null;
    if (chance(random, 0.5)) envelope['datacontenttype'] = pick(random, ['application/json', 'application/json; charset=utf-8']);
    if (chance(random, 0.3)) envelope['dataschema'] = 'retour/v1';
    if (chance(random, 0.1)) envelope[pick(random, ['traceparent', 'partitionkey', 'retourtest'])] = pick(random, ['00-abc-def-01', 7, true]);
    envelope['data'] = data;
    const plannedEvent = { id, type, atMs, envelope };
    planned.push(plannedEvent);
    return plannedEvent;
  };

  const orderCount = options.orders ?? 10 + random.nextInt(31);
  const orders: OrderPlan[] = [];
  const heavyCustomer = pick(random, customers);
  for (let index = 0; index < orderCount; index++) {
    const customerId = chance(random, 0.4) ? heavyCustomer : pick(random, customers);
    const placedMs = instant(anchorMs + random.next() * spanMs * 0.8);
    const currency = multiCurrency ? pick(random, CURRENCIES) : 'EUR';
    const lineCount = chance(random, 0.4) ? 1 : 1 + random.nextInt(4);
    const lines = Array.from({ length: lineCount }, (_, lineIndex) => {
      const product = pick(random, products);
      return {
        lineId: idStyle === 'plain' ? `l${lineIndex + 1}` : ids.make('line'),
        productId: product.productId,
        category: product.category,
        sellerId: product.sellerId,
        quantity: chance(random, 0.6) ? 1 : 1 + random.nextInt(5),
        unitPrice: chance(random, 0.2) ? random.nextInt(100_000) : product.unitPrice,
        variant: chance(random, 0.5) ? { size: pick(random, ['S', 'M', 'L', 'XL']), ...(chance(random, 0.5) ? { color: 'navy' } : {}) } : undefined,
      };
    });
    const orderId = ids.make('ord');
    const total = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
    const order: OrderPlan = { orderId, customerId, currency, placedMs, total, lines };
    orders.push(order);
    event('order.placed', placedMs, {
      orderId,
      customerId,
      placedAt: format(placedMs),
      currency,
      ...(chance(random, 0.7) ? { channel: pick(random, ['web', 'app', 'store']) } : {}),
      ...(chance(random, 0.8) ? { addressHash: pick(random, addresses) } : {}),
      ...(chance(random, 0.7) ? { paymentFingerprint: pick(random, payments) } : {}),
      ...(chance(random, 0.6) ? { deviceId: pick(random, devices) } : {}),
      ...(chance(random, 0.5) ? { emailHash: `e_${customers.indexOf(customerId)}` } : {}),
      lines: lines.map((line) => ({
        lineId: line.lineId,
        productId: line.productId,
        ...(line.sellerId === undefined ? {} : { sellerId: line.sellerId }),
        category: line.category,
        quantity: line.quantity,
        unitPrice: line.unitPrice,
        ...(line.variant === undefined ? {} : { variant: line.variant }),
      })),
    });

    // Deliveries: none, whole order (sometimes twice), per line (some lines twice, some never), or both.
    const firstDelivery = new Map<string, number>();
    const deliver = (lineIds: string[] | undefined): void => {
      const at = instant(placedMs + (random.nextInt(10) + random.next()) * stepMs);
      for (const line of lineIds ?? lines.map((item) => item.lineId)) firstDelivery.set(line, Math.min(firstDelivery.get(line) ?? Infinity, at));
      event('order.delivered', at, { orderId, customerId, deliveredAt: format(at), ...(lineIds === undefined ? {} : { lineIds }) });
    };
    const deliveryRoll = random.next();
    if (deliveryRoll < 0.12) note('order:never-delivered');
    else if (deliveryRoll < 0.55) deliver(undefined);
    else if (deliveryRoll < 0.65) {
      note('order:delivered-twice');
      deliver(undefined);
      deliver(undefined);
    } else {
      note('delivery:per-line');
      for (const line of lines) {
        if (chance(random, 0.15)) continue;
        deliver([line.lineId]);
        if (chance(random, 0.25)) {
          note('delivery:line-twice');
          deliver([line.lineId]);
        }
      }
      if (chance(random, 0.2)) deliver(undefined);
    }

    // Returns: each line's quantity, or part of it, over one to three requests.
    const remaining = new Map(lines.map((line) => [line.lineId, line.quantity]));
    const requests = chance(random, 0.5) ? 0 : 1 + random.nextInt(3);
    for (let request = 0; request < requests; request++) {
      const candidates = lines.filter((line) => remaining.get(line.lineId)! > 0 || chance(random, 0.05));
      if (candidates.length === 0) break;
      const chosen = shuffleInPlace(random, [...candidates]).slice(0, 1 + random.nextInt(candidates.length));
      const returned = chosen.map((line) => {
        const left = remaining.get(line.lineId)!;
        // Rarely more than the line had: the quality job caps it, ops reports it.
        const quantity = left > 0 ? 1 + random.nextInt(left) : 1;
        if (left <= 0) note('return:above-line-quantity');
        remaining.set(line.lineId, left - quantity);
        return { line, quantity };
      });
      if (request > 0) note('return:split-over-requests');
      const delivered = returned.map(({ line }) => firstDelivery.get(line.lineId)).filter((at): at is number => at !== undefined);
      if (delivered.length < returned.length) note('return:of-undelivered-line');
      const requestedMs = instant((delivered.length > 0 ? Math.max(...delivered) : placedMs) + random.nextInt(45) * stepMs + random.next() * stepMs);
      const returnId = ids.make('ret');
      const resolution = pick(random, RETURN_RESOLUTIONS);
      event('return.requested', requestedMs, {
        returnId,
        orderId,
        customerId,
        requestedAt: format(requestedMs),
        method: pick(random, RETURN_METHODS),
        resolution,
        lines: returned.map(({ line, quantity }) => ({
          lineId: line.lineId,
          productId: line.productId,
          quantity,
          reason: pick(random, RETURN_REASON_CODES),
          ...(chance(random, 0.4) ? { comment: pick(random, ['stopped working after a day', 'too small', 'ça ne marche pas 💥', '', 'broken\tzipper "again"']) } : {}),
        })),
      });
      let stepAt = requestedMs;
      const next = (): number => {
        stepAt = instant(stepAt + random.nextInt(8) * stepMs + random.next() * stepMs);
        return stepAt;
      };
      if (chance(random, 0.7)) {
        const at = next();
        event('return.received', at, {
          returnId,
          receivedAt: format(at),
          lines: returned.map(({ line, quantity }) => ({ lineId: line.lineId, quantity })),
          ...(chance(random, 0.7) ? { weightGrams: random.nextInt(5000) } : {}),
        });
      } else note('return:never-received');
      const inspections = chance(random, 0.6) ? (chance(random, 0.15) ? 2 : 1) : 0;
      if (inspections === 2) note('return:re-inspected');
      for (let inspection = 0; inspection < inspections; inspection++) {
        const at = next();
        event('return.inspected', at, {
          returnId,
          inspectedAt: format(at),
          lines: returned.map(({ line }) => ({
            lineId: line.lineId,
            condition: pick(random, INSPECTION_CONDITIONS),
            ...(chance(random, 0.8) ? { fault: pick(random, INSPECTION_FAULTS) } : {}),
            disposition: pick(random, DISPOSITIONS),
          })),
        });
      }
      const value = returned.reduce((sum, { line, quantity }) => sum + Math.min(quantity, line.quantity) * line.unitPrice, 0);
      const refunds = chance(random, 0.6) ? (chance(random, 0.1) ? 2 : 1) : 0;
      for (let refund = 0; refund < refunds; refund++) {
        const partial = chance(random, 0.3);
        if (partial) note('refund:partial');
        const at = next();
        event('refund.issued', at, {
          refundId: ids.make('rfd'),
          returnId,
          orderId,
          customerId,
          issuedAt: format(at),
          amount: Math.min(order.total, partial ? random.nextInt(value + 1) : value),
          currency,
          method: pick(random, REFUND_METHODS),
        });
      }
      if (chance(random, 0.5)) {
        const at = next();
        event('return.closed', at, { returnId, closedAt: format(at), outcome: pick(random, RETURN_OUTCOMES) });
      }
      if (chance(random, 0.3)) {
        const at = next();
        event('return.feedback', at, {
          returnId,
          customerId,
          submittedAt: format(at),
          rating: 1 + random.nextInt(5),
          ...(chance(random, 0.5) ? { comment: 'refund took a while' } : {}),
        });
      }
    }

    const afterPlaced = (): number => instant(placedMs + random.nextInt(30) * stepMs + random.next() * stepMs);
    if (chance(random, 0.1)) {
      note('refund:goodwill');
      const at = afterPlaced();
      event('refund.issued', at, { refundId: ids.make('rfd'), orderId, customerId, issuedAt: format(at), amount: random.nextInt(order.total + 1), currency, method: pick(random, REFUND_METHODS) });
    }
    if (chance(random, 0.05)) {
      note('refund:above-order-total');
      const at = afterPlaced();
      event('refund.issued', at, { refundId: ids.make('rfd'), orderId, customerId, issuedAt: format(at), amount: order.total + 1 + random.nextInt(1000), currency, method: 'original_payment' });
    }
    if (chance(random, 0.04)) {
      note('refund:other-currency');
      const at = afterPlaced();
      event('refund.issued', at, { refundId: ids.make('rfd'), orderId, customerId, issuedAt: format(at), amount: 0, currency: currency === 'EUR' ? 'USD' : 'EUR', method: 'store_credit' });
    }
    if (chance(random, 0.15)) {
      note('claim');
      const at = afterPlaced();
      event('claim.opened', at, { claimId: ids.make('clm'), orderId, customerId, openedAt: format(at), kind: pick(random, CLAIM_KINDS) });
    }
  }
  for (const customerId of customers) {
    if (!chance(random, 0.15)) continue;
    note('risk.decision');
    const at = instant(anchorMs + random.next() * spanMs);
    const verdict = pick(random, VERDICTS);
    event('risk.decision', at, {
      decisionId: ids.make('dec'),
      customerId,
      ...(chance(random, 0.5) ? { flagId: ids.make('flg') } : {}),
      decidedAt: format(at),
      decidedBy: 'analyst-ü',
      verdict,
      ...(verdict === 'legitimate' ? {} : { fraudType: pick(random, FRAUD_TYPES) }),
    });
  }

  // Messages: each event once, some re-sent as they were (possibly re-serialised) and some re-sent
  // under the same id with other content (a conflict).
  interface Message {
    id: string;
    envelope: Json;
    text: string;
    atMs: number;
    type: string;
  }
  const serialise = (envelope: Json): string => {
    let text = JSON.stringify(chance(random, 0.2) ? reorderKeys(random, envelope) : envelope);
    if (chance(random, 0.15)) text = escapeNonAscii(text);
    return text;
  };
  // Copies under new ids draw from a random of their own, so the streams of the other shapes stay as they were.
  const resendRandom = createSeededRandom(seed ^ 0x2e5e);
  const resendIds = new IdMaker(resendRandom, idStyle);
  const messages: Message[] = [];
  for (const item of planned) {
    messages.push({ id: item.id, envelope: item.envelope, text: serialise(item.envelope), atMs: item.atMs, type: item.type });
    if (chance(resendRandom, 0.05)) {
      // A producer that mints an id per retry, or a replay with fresh ids: the same data in a new envelope.
      note('duplicate:new-id');
      const copy: Json = { ...structuredClone(item.envelope), id: resendIds.make('rsd'), time: new Date(item.atMs + HOUR).toISOString(), source: 'retry-ü' };
      messages.push({ id: String(copy['id']), envelope: copy, text: serialise(copy), atMs: item.atMs, type: item.type });
    }
    if (item.type === 'return.feedback' && chance(resendRandom, 0.2)) {
      // Feedback changed at the same instant: other data, so a fact of its own, not a re-send.
      note('feedback:same-time-other-rating');
      const copy = structuredClone(item.envelope);
      const data = copy['data'] as Json;
      copy['id'] = resendIds.make('rsd');
      data['rating'] = (Number(data['rating']) % 5) + 1;
      messages.push({ id: String(copy['id']), envelope: copy, text: serialise(copy), atMs: item.atMs, type: item.type });
    }
    if (chance(random, 0.06)) {
      note('duplicate:exact');
      const copy = structuredClone(item.envelope);
      // null is the same as absent (docs/events.md), so this is still the same event.
      if (!('subject' in copy) && chance(random, 0.3)) {
        copy['subject'] = null;
        note('duplicate:null-attribute');
      }
      messages.push({ id: item.id, envelope: copy, text: serialise(copy), atMs: item.atMs, type: item.type });
    }
    if (chance(random, 0.03)) {
      note('duplicate:conflicting');
      const copy = structuredClone(item.envelope);
      copy['source'] = `${String(copy['source'])}-again`;
      messages.push({ id: item.id, envelope: copy, text: serialise(copy), atMs: item.atMs, type: item.type });
    }
  }

  // Arrival order.
  const order = pick(random, ['chronological', 'shuffled', 'reversed', 'jittered', 'children-first'] as const);
  note(`arrival:${order}`);
  const typeRank: Record<string, number> = {
    'refund.issued': 0,
    'return.inspected': 1,
    'return.closed': 1,
    'return.feedback': 1,
    'return.received': 2,
    'return.requested': 3,
    'claim.opened': 3,
    'order.delivered': 4,
    'risk.decision': 4,
    'order.placed': 5,
  };
  const keyed = messages.map((message, index) => ({ message, index, noise: random.next() }));
  switch (order) {
    case 'chronological':
      keyed.sort((a, b) => a.message.atMs - b.message.atMs || a.index - b.index);
      break;
    case 'shuffled':
      shuffleInPlace(random, keyed);
      break;
    case 'reversed':
      keyed.sort((a, b) => b.message.atMs - a.message.atMs || b.index - a.index);
      break;
    case 'jittered':
      keyed.sort((a, b) => a.message.atMs + a.noise * 10 * stepMs - (b.message.atMs + b.noise * 10 * stepMs));
      break;
    case 'children-first':
      keyed.sort((a, b) => typeRank[a.message.type]! - typeRank[b.message.type]! || a.noise - b.noise);
      break;
  }
  const arrived = keyed.map((item) => item.message);

  // What ingest must do, by the documented rules, in arrival order.
  const storedById = new Map<string, string>();
  /** Stored entities (type and entity id → canonical data) and stored `data` of the other types (type and canonical data). */
  const storedEntities = new Map<string, string>();
  const storedOccurrences = new Set<string>();
  const storedOrders = new Map<string, { total: number; currency: string }>();
  const orderOf = new Map(orders.map((item) => [item.orderId, item]));
  const expected: GeneratedStream['expected'] = { stored: 0, duplicates: 0, quarantined: {} };
  const quarantine = (code: QuarantineCode): void => {
    expected.quarantined[code] = (expected.quarantined[code] ?? 0) + 1;
  };
  for (const message of arrived) {
    const content = canonical(message.envelope);
    const stored = storedById.get(message.id);
    if (stored !== undefined) {
      if (stored === content) expected.duplicates++;
      else quarantine('RETOUR_EVENT_ID_CONFLICT');
      continue;
    }
    const data = message.envelope['data'] as Json;
    // Under a new id: an entity is the same when its data is (else a conflict); another type is a re-send when its data equals a stored one's.
    const dataText = JSON.stringify(sortKeys(data));
    const entityField = ENTITY_ID_FIELDS[message.type];
    const entityKey = entityField === undefined ? undefined : `${message.type}\u0000${String(data[entityField])}`;
    const storedEntity = entityKey === undefined ? undefined : storedEntities.get(entityKey);
    if (storedEntity !== undefined) {
      if (storedEntity === dataText) expected.duplicates++;
      else quarantine('RETOUR_EVENT_ENTITY_CONFLICT');
      continue;
    }
    const occurrenceKey = `${message.type}\u0000${dataText}`;
    if (entityKey === undefined && storedOccurrences.has(occurrenceKey)) {
      expected.duplicates++;
      continue;
    }
    if (message.type === 'refund.issued') {
      const known = storedOrders.get(String(data['orderId']));
      if (known !== undefined && (Number(data['amount']) > known.total || data['currency'] !== known.currency)) {
        quarantine('RETOUR_EVENT_REFERENCE_INVALID');
        continue;
      }
    }
    if (message.type === 'order.placed') {
      const plan = orderOf.get(String(data['orderId']))!;
      storedOrders.set(plan.orderId, { total: plan.total, currency: plan.currency });
    }
    storedById.set(message.id, content);
    if (entityKey !== undefined) storedEntities.set(entityKey, dataText);
    else storedOccurrences.add(occurrenceKey);
    expected.stored++;
  }

  const times = planned.map((item) => item.atMs);
  return {
    seed,
    shapes,
    lines: arrived.map((message) => message.text),
    expected,
    firstTimeMs: Math.min(...times),
    lastTimeMs: Math.max(...times),
    customerIds: customers,
    productIds: products.map((product) => product.productId),
    categories: [...new Set(products.map((product) => product.category))],
    sellerIds: products.flatMap((product) => (product.sellerId === undefined ? [] : [product.sellerId])),
  };
}
