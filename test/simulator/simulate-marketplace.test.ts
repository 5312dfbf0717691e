import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent } from '../../domain/events/decode-event.ts';
import type { RetourEvent, RetourEventOf } from '../../domain/events/event-schemas.ts';
import { RETURN_REASONS } from '../../domain/events/vocabulary.ts';
import { simulateMarketplace, type SimulateMarketplaceOptions } from '../../simulator/simulate-marketplace.ts';
import { BEHAVIOURS, CATEGORY_PROFILES } from '../../simulator/simulation-parameters.ts';
import type { SimulationTruth } from '../../simulator/simulation-truth.ts';

const DAY_MS = 86_400_000;

function run(options: SimulateMarketplaceOptions): { events: RetourEvent[]; lines: string[]; truth: SimulationTruth } {
  const simulation = simulateMarketplace(options);
  const events: RetourEvent[] = [];
  const lines: string[] = [];
  for (const event of simulation.events()) {
    events.push(event);
    lines.push(JSON.stringify(event));
  }
  return { events, lines, truth: simulation.truth() };
}

function ofType<T extends RetourEvent['type']>(events: readonly RetourEvent[], type: T): RetourEventOf<T>[] {
  return events.filter((event): event is RetourEventOf<T> => event.type === type);
}

/** |observed - expected| in binomial standard deviations, for a sum of independent Bernoulli(p_i). */
function zScore(observed: number, probabilities: readonly number[]): number {
  const expected = probabilities.reduce((sum, p) => sum + p, 0);
  const variance = probabilities.reduce((sum, p) => sum + p * (1 - p), 0);
  return Math.abs(observed - expected) / Math.sqrt(variance);
}

describe('simulateMarketplace: small runs', () => {
  it('is deterministic for a seed and differs for another seed', () => {
    const options = { seed: 11, days: 40, customers: 400 };
    const hash = (lines: string[]) => createHash('sha256').update(lines.join('\n')).digest('hex');
    const first = run(options);
    const again = run(options);
    expect(first.lines.length).toBeGreaterThan(500);
    expect(hash(again.lines)).toBe(hash(first.lines));
    expect(JSON.stringify(again.truth)).toBe(JSON.stringify(first.truth));
    expect(hash(run({ ...options, seed: 12 }).lines)).not.toBe(hash(first.lines));
  });

  it('can be iterated once, and truth() runs the simulation when events() was not consumed', () => {
    const simulation = simulateMarketplace({ seed: 1, days: 10, customers: 50 });
    expect(simulation.truth().summary.events).toBeGreaterThan(0);
    expect(() => simulation.events()).toThrow(/iterated once/);
  });

  it('rejects invalid options with a message naming the rule', () => {
    expect(() => simulateMarketplace({ seed: 1, days: 0, customers: 10 })).toThrow(/days must be an integer from 1/);
    expect(() => simulateMarketplace({ seed: 1, days: 10, customers: 1.5 })).toThrow(/customers must be an integer/);
    expect(() => simulateMarketplace({ seed: 1, days: 10, customers: 10, startDate: 'soon' })).toThrow(/startDate must be a date/);
    expect(() => simulateMarketplace({ seed: 1, days: 10, customers: 10, anomalies: { lateRefund: 2 } })).toThrow(/between 0 and 1/);
  });

  it('emits the same events, some out of order and some twice, with a shuffle window and a duplicate rate', () => {
    const options = { seed: 4, days: 30, customers: 300 };
    const ordered = run(options);
    const window = 3600;
    const disordered = run({ ...options, shuffleWindowSeconds: window, duplicateRate: 0.02 });
    const byId = new Map(ordered.events.map((event) => [event.id, JSON.stringify(event)]));
    let outOfOrder = 0;
    let latest = 0;
    const seen = new Set<string>();
    let duplicates = 0;
    for (const event of disordered.events) {
      expect(JSON.stringify(event)).toBe(byId.get(event.id));
      if (seen.has(event.id)) duplicates++;
      seen.add(event.id);
      const time = Date.parse(event.time);
      if (time < latest) {
        outOfOrder++;
        expect(latest - time).toBeLessThanOrEqual(window * 1000);
      }
      latest = Math.max(latest, time);
    }
    expect(seen.size).toBe(byId.size);
    expect(duplicates).toBe(disordered.truth.summary.duplicatesEmitted);
    expect(duplicates).toBeGreaterThan(0);
    expect(outOfOrder).toBeGreaterThan(0);
  });
});

describe('simulateMarketplace: a mid-size run', () => {
  const options: SimulateMarketplaceOptions = {
    seed: 2024,
    days: 240,
    customers: 8000,
    // A small catalogue gives episode and shift products enough volume to measure at this scale.
    products: 80,
    defectEpisodes: 6,
    anomalies: { overRefund: 0.01, duplicateRefund: 0.01, missingRefund: 0.01, lateRefund: 0.01, refundWithoutReceipt: 0.01, outsideWindow: 0.01 },
  };
  let events: RetourEvent[];
  let lines: string[];
  let truth: SimulationTruth;
  const endMs = Date.UTC(2025, 0, 1) + 240 * DAY_MS;

  beforeAll(() => {
    ({ events, lines, truth } = run(options));
  }, 120_000);

  it('emits only events that pass the v1 contract, in time order, within the simulated period', () => {
    expect(events.length).toBeGreaterThan(100_000);
    let previous = '';
    const rejected: string[] = [];
    let backwards = 0;
    for (const line of lines) {
      const result = decodeEvent(line);
      if (!result.ok) {
        rejected.push(`${result.rejection.message} in ${line.slice(0, 300)}`);
        continue;
      }
      if (result.event.time < previous) backwards++;
      previous = result.event.time;
    }
    expect(rejected.slice(0, 3)).toEqual([]);
    expect(backwards).toBe(0);
    expect(events[0]!.time >= truth.startDate).toBe(true);
    expect(Date.parse(previous)).toBeLessThan(endMs);
    // Every event type of the contract occurs.
    expect(Object.keys(truth.summary.eventsByType).sort()).toEqual(
      ['claim.opened', 'order.delivered', 'order.placed', 'refund.issued', 'return.closed', 'return.feedback', 'return.inspected', 'return.received', 'return.requested', 'risk.decision'],
    );
    expect(ofType(events, 'risk.decision').every((event) => event.source === 'risk-console')).toBe(true);
  });

  it('keeps each order and return in causal order', () => {
    const broken: string[] = [];
    const after = (label: string, later: string, earlier: string | undefined): void => {
      if (earlier === undefined || !(later > earlier)) broken.push(`${label}: ${later} after ${String(earlier)}`);
    };
    const placed = new Map(ofType(events, 'order.placed').map((event) => [event.data.orderId, event.time]));
    const delivered = new Map(ofType(events, 'order.delivered').map((event) => [event.data.orderId, event.time]));
    for (const [orderId, time] of delivered) after(`delivered ${orderId}`, time, placed.get(orderId));
    const requested = new Map<string, string>();
    for (const event of ofType(events, 'return.requested')) {
      after(`requested ${event.data.returnId}`, event.time, delivered.get(event.data.orderId));
      requested.set(event.data.returnId, event.time);
    }
    const received = new Map<string, string>();
    for (const event of ofType(events, 'return.received')) {
      after(`received ${event.data.returnId}`, event.time, requested.get(event.data.returnId));
      received.set(event.data.returnId, event.time);
    }
    for (const event of ofType(events, 'return.inspected')) after(`inspected ${event.data.returnId}`, event.time, received.get(event.data.returnId));
    for (const event of ofType(events, 'refund.issued')) {
      if (event.data.returnId !== undefined) after(`refund ${event.data.refundId}`, event.time, requested.get(event.data.returnId));
    }
    for (const event of ofType(events, 'return.closed')) after(`closed ${event.data.returnId}`, event.time, requested.get(event.data.returnId));
    expect(broken.slice(0, 3)).toEqual([]);
  });

  it('leaks no truth into events: no behaviour words outside review decisions, opaque ids, hex hashes', () => {
    const leaks = new RegExp(`fraud|ring_|household|${BEHAVIOURS.filter((behaviour) => behaviour !== 'ordinary').join('|')}`);
    const leaking = lines.filter((line, index) => events[index]!.type !== 'risk.decision' && leaks.test(line));
    expect(leaking.slice(0, 3)).toEqual([]);
    const malformed = ofType(events, 'order.placed').filter(
      (event) =>
        !/^ord_[0-9a-z]{18}$/.test(event.data.orderId) ||
        !/^cus_[0-9a-z]{16}$/.test(event.data.customerId) ||
        !/^[0-9a-f]{64}$/.test(event.data.addressHash ?? '') ||
        !/^[0-9a-f]{32}$/.test(event.data.paymentFingerprint ?? ''),
    );
    expect(malformed.slice(0, 3)).toEqual([]);
    // Fraudsters' ids look like everyone else's: same length and alphabet, not sorted apart.
    const fraudIds = truth.customers.filter((customer) => customer.fraudType !== undefined).map((customer) => customer.customerId);
    const sorted = [...truth.customers.map((customer) => customer.customerId)].sort();
    const rankOf = new Map(sorted.map((id, rank) => [id, rank / sorted.length]));
    const ranks = fraudIds.map((id) => rankOf.get(id)!);
    expect(ranks.reduce((sum, rank) => sum + rank, 0) / ranks.length).toBeGreaterThan(0.4);
    expect(ranks.reduce((sum, rank) => sum + rank, 0) / ranks.length).toBeLessThan(0.6);
  });

  it('realises each category return rate for ordinary customers within 4 standard deviations and 15% of the parameter', () => {
    const ordinary = new Set(truth.customers.filter((customer) => customer.behaviour === 'ordinary').map((customer) => customer.customerId));
    const changed = new Set([...truth.defectEpisodes, ...truth.reasonShifts].map((change) => change.productId));
    const productRate = new Map(truth.products.map((product) => [product.productId, product.returnRate]));
    const delivered = new Map(ofType(events, 'order.delivered').map((event) => [event.data.orderId, Date.parse(event.time)]));
    const returned = new Set(ofType(events, 'return.requested').flatMap((event) => event.data.lines.map((line) => `${event.data.orderId}/${line.lineId}`)));
    const byCategory = new Map<string, { probabilities: number[]; returned: number }>();
    for (const order of ofType(events, 'order.placed')) {
      const deliveredMs = delivered.get(order.data.orderId);
      // Only lines whose whole return window lies inside the stream.
      if (!ordinary.has(order.data.customerId) || deliveredMs === undefined || deliveredMs > endMs - 31 * DAY_MS) continue;
      for (const line of order.data.lines) {
        if (changed.has(line.productId)) continue;
        const entry = byCategory.get(line.category) ?? { probabilities: [], returned: 0 };
        entry.probabilities.push(productRate.get(line.productId)!);
        if (returned.has(`${order.data.orderId}/${line.lineId}`)) entry.returned++;
        byCategory.set(line.category, entry);
      }
    }
    for (const profile of CATEGORY_PROFILES) {
      const entry = byCategory.get(profile.name)!;
      // The rate of an ordinary line is exactly the category parameter on average over products.
      const realised = entry.returned / entry.probabilities.length;
      expect(zScore(entry.returned, entry.probabilities), profile.name).toBeLessThan(4);
      if (entry.probabilities.length * profile.returnRate > 200) expect(Math.abs(realised / profile.returnRate - 1), profile.name).toBeLessThan(0.15);
    }
    // All customers together: apparel and shoes 20–30%, electronics under 10%.
    expect(truth.summary.returnRateByCategory['apparel']).toBeGreaterThan(0.2);
    expect(truth.summary.returnRateByCategory['apparel']).toBeLessThan(0.32);
    expect(truth.summary.returnRateByCategory['shoes']).toBeGreaterThan(0.2);
    expect(truth.summary.returnRateByCategory['shoes']).toBeLessThan(0.32);
    expect(truth.summary.returnRateByCategory['electronics']).toBeLessThan(0.12);
  });

  it('keeps fraud a minority: 9–15% of returned value (NRF/Appriss range), recomputed from the events', () => {
    const fraudulent = new Set(truth.fraudulentReturns.map((item) => item.returnId));
    const prices = new Map<string, { currency: string; price: Map<string, number> }>();
    for (const order of ofType(events, 'order.placed')) {
      prices.set(order.data.orderId, { currency: order.data.currency, price: new Map(order.data.lines.map((line) => [line.lineId, line.unitPrice])) });
    }
    let total = 0;
    let fraud = 0;
    for (const request of ofType(events, 'return.requested')) {
      const order = prices.get(request.data.orderId)!;
      const value = request.data.lines.reduce((sum, line) => sum + order.price.get(line.lineId)! * line.quantity, 0);
      const eur = order.currency === 'GBP' ? Math.round(value / 0.86) : value;
      total += eur;
      if (fraudulent.has(request.data.returnId)) fraud += eur;
    }
    expect(total).toBe(truth.summary.returnedValueEurCents);
    expect(fraud).toBe(truth.summary.fraudulentReturnedValueEurCents);
    expect(fraud / total).toBeGreaterThan(0.09);
    expect(fraud / total).toBeLessThan(0.15);
    // Fraudsters are a small share of customers, and inspectors catch only part of it.
    const fraudCustomers = truth.customers.filter((customer) => customer.fraudType !== undefined).length;
    expect(fraudCustomers / truth.customers.length).toBeLessThan(0.06);
    const inspected = truth.fraudulentReturns.filter((item) => item.fraudType !== 'refund_abuse');
    const caught = inspected.filter((item) => item.caughtAtInspection).length / inspected.length;
    expect(caught).toBeGreaterThan(0.3);
    expect(caught).toBeLessThan(0.8);
  });

  it('realises defect episodes: product-fault returns of ordinary customers match the episode rate (4 SD), well above baseline', () => {
    const ordinary = new Set(truth.customers.filter((customer) => customer.behaviour === 'ordinary').map((customer) => customer.customerId));
    const delivered = new Map(ofType(events, 'order.delivered').map((event) => [event.data.orderId, Date.parse(event.time)]));
    const productFaultReturns = new Set(
      ofType(events, 'return.requested').flatMap((event) =>
        event.data.lines.filter((line) => RETURN_REASONS[line.reason].productFault).map((line) => `${event.data.orderId}/${line.lineId}`),
      ),
    );
    expect(truth.defectEpisodes.length).toBe(6);
    expect(truth.defectEpisodes.some((episode) => episode.bestSeller)).toBe(true);
    expect(truth.defectEpisodes.some((episode) => !episode.bestSeller)).toBe(true);
    const episodes = new Map(truth.defectEpisodes.map((episode) => [episode.productId, episode]));
    const during: number[] = [];
    const baseline: number[] = [];
    let observed = 0;
    for (const order of ofType(events, 'order.placed')) {
      const deliveredMs = delivered.get(order.data.orderId);
      if (!ordinary.has(order.data.customerId) || deliveredMs === undefined) continue;
      for (const line of order.data.lines) {
        const episode = episodes.get(line.productId);
        if (episode === undefined || deliveredMs < Date.parse(episode.startDate) || deliveredMs >= Date.parse(episode.endDate)) continue;
        during.push(episode.episodeProductFaultRate);
        baseline.push(episode.baselineProductFaultRate);
        if (productFaultReturns.has(`${order.data.orderId}/${line.lineId}`)) observed++;
      }
    }
    expect(observed).toBeGreaterThan(50);
    expect(zScore(observed, during)).toBeLessThan(4);
    const expectedBaseline = baseline.reduce((sum, p) => sum + p, 0);
    expect(observed / expectedBaseline).toBeGreaterThan(1.8);
    for (const episode of truth.defectEpisodes) {
      expect(episode.factor).toBeGreaterThanOrEqual(2);
      expect(episode.factor).toBeLessThanOrEqual(5);
      const weeks = (Date.parse(episode.endDate) - Date.parse(episode.startDate)) / (7 * DAY_MS);
      expect(weeks).toBeGreaterThanOrEqual(2);
      expect(weeks).toBeLessThanOrEqual(8.01);
    }
  });

  it('realises reason shifts: the shifted reason takes a visibly larger share of the product returns', () => {
    expect(truth.reasonShifts.length).toBeGreaterThan(0);
    const delivered = new Map(ofType(events, 'order.delivered').map((event) => [event.data.orderId, Date.parse(event.time)]));
    for (const shift of truth.reasonShifts) {
      let inside = 0;
      let insideShifted = 0;
      let outside = 0;
      let outsideShifted = 0;
      for (const request of ofType(events, 'return.requested')) {
        const deliveredMs = delivered.get(request.data.orderId)!;
        for (const line of request.data.lines) {
          if (line.productId !== shift.productId) continue;
          const within = deliveredMs >= Date.parse(shift.startDate) && deliveredMs < Date.parse(shift.endDate);
          if (within) {
            inside++;
            if (line.reason === shift.reason) insideShifted++;
          } else {
            outside++;
            if (line.reason === shift.reason) outsideShifted++;
          }
        }
      }
      expect(inside).toBeGreaterThan(20);
      expect(insideShifted / inside).toBeGreaterThan(outsideShifted / Math.max(1, outside) + 0.1);
    }
  });

  it('records exactly the refund anomalies the events show (a reference check per kind)', () => {
    const slaMs = truth.policy.refundSlaDays * DAY_MS;
    const windowMs = truth.policy.returnWindowDays * DAY_MS;
    const orders = new Map(ofType(events, 'order.placed').map((event) => [event.data.orderId, event.data]));
    const delivered = new Map(ofType(events, 'order.delivered').map((event) => [event.data.orderId, Date.parse(event.time)]));
    const requests = new Map(ofType(events, 'return.requested').map((event) => [event.data.returnId, event.data]));
    const received = new Map(ofType(events, 'return.received').map((event) => [event.data.returnId, Date.parse(event.time)]));
    const rejected = new Set(ofType(events, 'return.closed').filter((event) => event.data.outcome === 'rejected').map((event) => event.data.returnId));
    const refunds = new Map<string, { amount: number; at: number }[]>();
    for (const refund of ofType(events, 'refund.issued')) {
      if (refund.data.returnId === undefined) continue;
      const list = refunds.get(refund.data.returnId) ?? [];
      list.push({ amount: refund.data.amount, at: Date.parse(refund.time) });
      refunds.set(refund.data.returnId, list);
    }
    const found = new Set<string>();
    for (const [returnId, request] of requests) {
      const order = orders.get(request.orderId)!;
      const paid = request.lines.reduce((sum, line) => sum + order.lines.find((orderLine) => orderLine.lineId === line.lineId)!.unitPrice * line.quantity, 0);
      const list = refunds.get(returnId) ?? [];
      const receivedMs = received.get(returnId);
      if (Date.parse(request.requestedAt) > delivered.get(request.orderId)! + windowMs) found.add(`${returnId} outside_window`);
      if (list.some((refund) => refund.amount > paid)) found.add(`${returnId} over_refund`);
      if (list.length > 1) found.add(`${returnId} duplicate_refund`);
      if (receivedMs !== undefined && list.length === 0 && !rejected.has(returnId) && receivedMs + slaMs < endMs) found.add(`${returnId} missing_refund`);
      if (receivedMs !== undefined && list.length > 0 && list[0]!.at > receivedMs + slaMs) found.add(`${returnId} late_refund`);
      if (receivedMs === undefined && list.length > 0 && list[0]!.at + slaMs < endMs) found.add(`${returnId} refund_without_receipt`);
    }
    const recorded = new Set(truth.anomalies.map((anomaly) => `${anomaly.returnId} ${anomaly.kind}`));
    expect([...found].filter((key) => !recorded.has(key))).toEqual([]);
    expect([...recorded].filter((key) => !found.has(key))).toEqual([]);
    const kinds = new Set(truth.anomalies.map((anomaly) => anomaly.kind));
    expect(kinds.size).toBe(6);
    expect(truth.anomalies.some((anomaly) => anomaly.cause === 'refund_abuse')).toBe(true);
  });

  it('emits partial, mostly right review decisions on fraudsters and a few honest customers', () => {
    const behaviour = new Map(truth.customers.map((customer) => [customer.customerId, customer]));
    const decisions = ofType(events, 'risk.decision');
    expect(decisions.length).toBe(truth.decisions.length);
    const onFraud = decisions.filter((decision) => behaviour.get(decision.data.customerId)!.fraudType !== undefined);
    expect(onFraud.length / decisions.length).toBeGreaterThan(0.5);
    expect(onFraud.length).toBeLessThan(truth.customers.filter((customer) => customer.fraudType !== undefined).length);
    const wrong = truth.decisions.filter((decision) => !decision.correct).length / truth.decisions.length;
    expect(wrong).toBeGreaterThan(0);
    expect(wrong).toBeLessThan(0.2);
    for (const decision of decisions) {
      expect(decision.data.fraudType !== undefined).toBe(decision.data.verdict !== 'legitimate');
    }
  });

  it('builds rings that share only part of their identifiers, and honest households that share addresses', () => {
    expect(truth.rings.length).toBeGreaterThan(0);
    const byCustomer = new Map<string, Set<string>>();
    for (const order of ofType(events, 'order.placed')) {
      const set = byCustomer.get(order.data.customerId) ?? new Set<string>();
      set.add(`a:${order.data.addressHash}`).add(`p:${order.data.paymentFingerprint}`).add(`d:${order.data.deviceId}`);
      byCustomer.set(order.data.customerId, set);
    }
    for (const ring of truth.rings) {
      const shared = new Set([...ring.sharedAddressHashes.map((hash) => `a:${hash}`), ...ring.sharedPaymentFingerprints.map((hash) => `p:${hash}`), ...ring.sharedDeviceIds.map((hash) => `d:${hash}`)]);
      for (const customerId of ring.customerIds) {
        const used = byCustomer.get(customerId);
        if (used === undefined) continue;
        expect([...used].some((value) => shared.has(value)), customerId).toBe(true);
      }
    }
    expect(truth.households.length).toBeGreaterThan(0);
  });
});
