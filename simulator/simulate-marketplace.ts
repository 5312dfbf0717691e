/**
 * The marketplace simulator: a catalogue, customers with behaviours (honest and fraudulent), and a
 * year of orders, deliveries, returns, inspections, refunds, claims, feedback and review decisions
 * as v1 CloudEvents in time order — with a ground truth that never leaks into the events.
 *
 * Generation is day by day: each day, customers place orders (a per-customer rate × seasonality);
 * each order's whole future (delivery, return, refund …) is planned at once into a time-ordered
 * heap, and everything due before the next day is emitted. Memory stays bounded by the events
 * pending in the next few weeks, and the iterator is pull-based: nothing is generated until asked.
 */
import { PLAUSIBLE_TIME_RANGE } from '../domain/events/date-time-format.ts';
import type { RetourEvent } from '../domain/events/event-schemas.ts';
import { createSeededRandom } from '../models/random/seeded-random.ts';
import { createAliasTable } from './alias-table.ts';
import { buildCatalogue } from './build-catalogue.ts';
import { buildPopulation } from './build-population.ts';
import { dailyDemandMultiplier } from './daily-demand-multiplier.ts';
import { disorderEvents } from './disorder-events.ts';
import { EventHeap } from './event-heap.ts';
import { createOpaqueIdFactory } from './opaque-id-factory.ts';
import { planOrder } from './plan-order.ts';
import { planProductChanges } from './plan-product-changes.ts';
import { DAY_MS, formatTime, type PlannedAnomaly, type ScheduledEvent, type SimulationContext } from './simulation-context.ts';
import { CATEGORY_PROFILES, DEFAULT_ANOMALY_RATES, HOUR_WEIGHTS, type AnomalyRates } from './simulation-parameters.ts';
import type { SimulationTruth, TruthAnomaly } from './simulation-truth.ts';

export interface SimulateMarketplaceOptions {
  /** Same seed and options, same events and truth, on every platform. */
  seed: number;
  /** Simulated days; the stream holds events with time in [startDate, startDate + days). */
  days: number;
  customers: number;
  /** Catalogue size. Default: customers / 50, at least 50. */
  products?: number;
  /** First simulated day (UTC midnight of it). Default 2025-01-01. */
  startDate?: string | Date;
  /** Return window in days after delivery. Default 30. */
  returnWindowDays?: number;
  /** Per-category return windows (category → days), overriding returnWindowDays. Default none. */
  returnWindowByCategory?: Readonly<Record<string, number>>;
  /** Days after receipt within which a refund is due. Default 14. */
  refundSlaDays?: number;
  /** Operations anomaly rates (per refundable return); missing ones use DEFAULT_ANOMALY_RATES. */
  anomalies?: Partial<AnomalyRates>;
  /** Defect episodes and reason shifts to place. Default: by catalogue size (see EPISODE_PARAMETERS). */
  defectEpisodes?: number;
  reasonShifts?: number;
  /** Emit events up to this many seconds out of order (0 = strict time order, the default). */
  shuffleWindowSeconds?: number;
  /** Probability that an event is re-sent (same id, same content). Default 0. */
  duplicateRate?: number;
}

export interface SimulationProgress {
  day: number;
  days: number;
  events: number;
}

export interface MarketplaceSimulation {
  /** The events, in time order (unless disorder was asked for). Can be iterated once. */
  events(): Iterable<RetourEvent>;
  /** The ground truth; runs the simulation to the end first if events() was not consumed. */
  truth(): SimulationTruth;
  progress(): SimulationProgress;
}

function requirePositiveInteger(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${value}`);
}

/**
 * The period lies within the instants the contract takes (PLAUSIBLE_TIME_RANGE, 1990–2099): until
 * session 13 it could start in year 0100 or end on 9999-12-31, events Retour now quarantines.
 */
const EARLIEST_START_MS = Date.parse(PLAUSIBLE_TIME_RANGE.from);
const LATEST_END_MS = Date.parse(PLAUSIBLE_TIME_RANGE.before);
const LAST_DAY = new Date(LATEST_END_MS - DAY_MS).toISOString().slice(0, 10);
/** What simulationStartMs and `retour simulate --start` say a start must be. */
export const SIMULATION_START_RULE = (days: number) => `from ${PLAUSIBLE_TIME_RANGE.from.slice(0, 10)} on, with the ${days} days ending by ${LAST_DAY}`;

/**
 * The first simulated day (UTC midnight, epoch ms) of a `startDate`, and the check that the period
 * fits in four-digit years. Throws RangeError with the rule: Date.parse alone read 2025-02-30 as
 * 2 March, and a period past 9999 wrote times such as "+010000-01-10:42:23Z".
 */
export function simulationStartMs(startDate: string | Date | undefined, days: number): number {
  let ms: number;
  if (startDate === undefined) ms = Date.UTC(2025, 0, 1);
  else if (startDate instanceof Date) ms = startDate.getTime();
  else if (/^\d{4}-\d{2}-\d{2}$/.test(startDate)) {
    ms = Date.parse(`${startDate}T00:00:00Z`);
    if (Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) !== startDate) ms = Number.NaN; // 30 February
  } else ms = Date.parse(startDate);
  if (!Number.isFinite(ms)) throw new RangeError(`startDate must be a date such as 2025-01-01, got ${String(startDate)}`);
  const startMs = Math.floor(ms / DAY_MS) * DAY_MS;
  if (startMs < EARLIEST_START_MS || startMs + days * DAY_MS > LATEST_END_MS) {
    throw new RangeError(`startDate must be ${SIMULATION_START_RULE(days)}, got ${String(startDate)}`);
  }
  return startMs;
}

function observedAnomaly(anomaly: PlannedAnomaly, endMs: number): TruthAnomaly | undefined {
  const base = { returnId: anomaly.returnId, customerId: anomaly.customerId, cause: anomaly.cause };
  if (anomaly.observableMs < endMs) return { ...base, kind: anomaly.kind, observableAt: formatTime(anomaly.observableMs) };
  // A late refund still to come is, as far as the stream shows, a missing one.
  if (anomaly.missingFromMs !== undefined && anomaly.missingFromMs < endMs) {
    return { ...base, kind: 'missing_refund', observableAt: formatTime(anomaly.missingFromMs) };
  }
  return undefined;
}

/**
 * @example
 * const simulation = simulateMarketplace({ seed: 7, days: 365, customers: 100_000 });
 * for (const event of simulation.events()) write(JSON.stringify(event));
 * const truth = simulation.truth();
 */
export function simulateMarketplace(options: SimulateMarketplaceOptions): MarketplaceSimulation {
  if (!Number.isFinite(options.seed)) throw new RangeError(`seed must be a finite number, got ${options.seed}`);
  requirePositiveInteger('days', options.days, 3650);
  requirePositiveInteger('customers', options.customers, 10_000_000);
  const productCount = options.products ?? Math.max(50, Math.round(options.customers / 50));
  requirePositiveInteger('products', productCount, 1_000_000);
  const returnWindowDays = options.returnWindowDays ?? 30;
  requirePositiveInteger('returnWindowDays', returnWindowDays, 3650);
  const refundSlaDays = options.refundSlaDays ?? 14;
  requirePositiveInteger('refundSlaDays', refundSlaDays, 365);
  const anomalyRates: AnomalyRates = { ...DEFAULT_ANOMALY_RATES, ...options.anomalies };
  const anomalySum = Object.values(anomalyRates).reduce((sum, rate) => sum + rate, 0);
  for (const [name, rate] of Object.entries(anomalyRates)) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`anomaly rate ${name} must be between 0 and 1, got ${rate}`);
  }
  if (anomalySum > 1) throw new RangeError(`anomaly rates must add up to at most 1, got ${anomalySum}`);
  const startMs = simulationStartMs(options.startDate, options.days);
  const endMs = startMs + options.days * DAY_MS;

  const root = createSeededRandom(options.seed);
  // Independent streams: the catalogue does not shift when the population grows, and so on.
  const catalogueRandom = root.fork();
  const populationRandom = root.fork();
  const changesRandom = root.fork();
  const orderRandom = root.fork();
  const dynamicsRandom = root.fork();
  const idRandom = root.fork();
  const disorderRandom = root.fork();
  const ids = createOpaqueIdFactory(idRandom);
  const catalogue = buildCatalogue({ random: catalogueRandom, ids, productCount });
  const population = buildPopulation({ random: populationRandom, ids, customerCount: options.customers, days: options.days, startMs });
  planProductChanges({
    random: changesRandom,
    ids,
    catalogue,
    startMs,
    days: options.days,
    ...(options.defectEpisodes === undefined ? {} : { episodeCount: options.defectEpisodes }),
    ...(options.reasonShifts === undefined ? {} : { shiftCount: options.reasonShifts }),
  });

  const context: SimulationContext = {
    random: dynamicsRandom,
    ids,
    heap: new EventHeap<ScheduledEvent>(),
    startMs,
    endMs,
    catalogue,
    policy: { returnWindowDays, returnWindowByCategory: { ...options.returnWindowByCategory }, refundSlaDays },
    anomalyRates,
    fraudulentReturns: [],
    fraudulentClaims: [],
    anomalies: [],
    decisions: [],
  };
  const customers = population.customers;
  const ordersPerDay = Float64Array.from(customers, (customer) => customer.ordersPerDay);
  const activeFromDay = Int32Array.from(customers, (customer) => customer.activeFromDay);
  const hourTable = createAliasTable([...HOUR_WEIGHTS]);

  const stats = {
    day: 0,
    events: 0,
    eventsByType: {} as Record<string, number>,
    orders: 0,
    orderLines: 0,
    returns: 0,
    returnLines: 0,
    linesByCategory: new Map<string, number>(),
    returnLinesByCategory: new Map<string, number>(),
    returnedValueEurCents: 0,
    fraudulentReturnedValueEurCents: 0,
    duplicatesEmitted: 0,
  };
  let state: 'fresh' | 'running' | 'done' = 'fresh';

  function count(scheduled: ScheduledEvent): void {
    const event = scheduled.event;
    stats.events++;
    stats.eventsByType[event.type] = (stats.eventsByType[event.type] ?? 0) + 1;
    if (event.type === 'order.placed') {
      stats.orders++;
      for (const line of event.data.lines) {
        stats.orderLines++;
        stats.linesByCategory.set(line.category, (stats.linesByCategory.get(line.category) ?? 0) + 1);
      }
    } else if (scheduled.returnStats !== undefined) {
      stats.returns++;
      stats.returnedValueEurCents += scheduled.returnStats.valueEurCents;
      if (scheduled.returnStats.fraudulent) stats.fraudulentReturnedValueEurCents += scheduled.returnStats.valueEurCents;
      for (const category of scheduled.returnStats.categories) {
        stats.returnLines++;
        stats.returnLinesByCategory.set(category, (stats.returnLinesByCategory.get(category) ?? 0) + 1);
      }
    }
  }

  function* generate(): Generator<RetourEvent> {
    state = 'running';
    const random = orderRandom;
    const heap = context.heap;
    for (let day = 0; day < options.days; day++) {
      stats.day = day;
      const dayStartMs = startMs + day * DAY_MS;
      const demand = dailyDemandMultiplier(dayStartMs);
      for (let index = 0; index < ordersPerDay.length; index++) {
        if (activeFromDay[index]! > day) continue;
        if (random.next() < ordersPerDay[index]! * demand) {
          const placedMs = dayStartMs + (hourTable.sample(random) + random.next()) * 3_600_000;
          planOrder(context, customers[index]!, placedMs);
        }
      }
      const nextDayMs = dayStartMs + DAY_MS;
      while (heap.peekTime() < nextDayMs) {
        const scheduled = heap.pop()!;
        count(scheduled);
        yield scheduled.event;
      }
    }
    stats.day = options.days;
    state = 'done';
  }

  let consumed = false;
  function events(): Iterable<RetourEvent> {
    if (consumed) throw new Error('events() of a simulation can be iterated once; create a new simulation with the same seed to replay it');
    consumed = true;
    const shuffle = options.shuffleWindowSeconds ?? 0;
    const duplicateRate = options.duplicateRate ?? 0;
    if (shuffle === 0 && duplicateRate === 0) return generate();
    return disorderEvents(generate(), {
      random: disorderRandom,
      shuffleWindowSeconds: shuffle,
      duplicateRate,
      onDuplicate: () => stats.duplicatesEmitted++,
    });
  }

  function truth(): SimulationTruth {
    if (state === 'fresh' && !consumed) for (const _event of events()) void _event;
    if (state !== 'done') throw new Error('truth() is complete only once events() has been fully consumed');
    const byIndex = customers;
    const returnRateByCategory: Record<string, number> = {};
    for (const profile of CATEGORY_PROFILES) {
      const lines = stats.linesByCategory.get(profile.name) ?? 0;
      returnRateByCategory[profile.name] = lines === 0 ? 0 : (stats.returnLinesByCategory.get(profile.name) ?? 0) / lines;
    }
    const bestSellers = new Set(
      [...catalogue.products]
        .sort((a, b) => b.popularity - a.popularity)
        .slice(0, Math.max(1, Math.round(catalogue.products.length * 0.05)))
        .map((product) => product.index),
    );
    return {
      version: 1,
      seed: options.seed,
      startDate: formatTime(startMs),
      endDate: formatTime(endMs),
      days: options.days,
      policy: { returnWindowDays, returnWindowByCategory: { ...context.policy.returnWindowByCategory }, refundSlaDays },
      customers: customers.map((customer) => ({
        customerId: customer.customerId,
        behaviour: customer.behaviour,
        ...(customer.fraudType === undefined ? {} : { fraudType: customer.fraudType }),
        ...(customer.ringId === undefined ? {} : { ringId: customer.ringId }),
        ...(customer.householdId === undefined ? {} : { householdId: customer.householdId }),
        accountCreatedAt: formatTime(customer.accountCreatedMs),
        newAccount: customer.accountCreatedMs >= startMs,
      })),
      rings: population.rings.map((ring) => ({
        ringId: ring.ringId,
        behaviour: ring.behaviour,
        customerIds: ring.memberIndexes.map((index) => byIndex[index]!.customerId),
        sharedAddressHashes: ring.addressHashes,
        sharedPaymentFingerprints: ring.paymentFingerprints,
        sharedDeviceIds: ring.deviceIds,
      })),
      households: population.households.map((household) => ({
        householdId: household.householdId,
        customerIds: household.memberIndexes.map((index) => byIndex[index]!.customerId),
        addressHash: household.addressHash,
      })),
      products: catalogue.products.map((product) => ({
        productId: product.productId,
        category: product.category.name,
        sellerId: product.sellerId,
        priceCents: product.priceCents,
        returnRate: product.returnRate,
        productFaultRate: product.returnRate * product.productFaultShare,
        popularity: product.popularity,
      })),
      defectEpisodes: catalogue.products.flatMap((product) =>
        product.episodes.map((episode) => ({
          episodeId: episode.episodeId,
          productId: product.productId,
          category: product.category.name,
          startDate: formatTime(episode.startMs),
          endDate: formatTime(episode.endMs),
          factor: episode.factor,
          baselineProductFaultRate: product.returnRate * product.productFaultShare,
          episodeProductFaultRate: product.returnRate * product.productFaultShare * episode.factor,
          bestSeller: bestSellers.has(product.index),
          issue: episode.issue,
        })),
      ),
      reasonShifts: catalogue.products.flatMap((product) =>
        product.shifts.map((shift) => ({
          productId: product.productId,
          category: product.category.name,
          startDate: formatTime(shift.startMs),
          endDate: formatTime(shift.endMs),
          reason: shift.reason,
          addedShare: shift.addedShare,
          rateMultiplier: shift.rateMultiplier,
        })),
      ),
      fraudulentReturns: context.fraudulentReturns,
      fraudulentClaims: context.fraudulentClaims,
      anomalies: context.anomalies.map((anomaly) => observedAnomaly(anomaly, endMs)).filter((anomaly) => anomaly !== undefined),
      decisions: context.decisions,
      summary: {
        events: stats.events + stats.duplicatesEmitted,
        eventsByType: stats.eventsByType,
        orders: stats.orders,
        orderLines: stats.orderLines,
        returns: stats.returns,
        returnLines: stats.returnLines,
        returnRateByCategory,
        returnedValueEurCents: stats.returnedValueEurCents,
        fraudulentReturnedValueEurCents: stats.fraudulentReturnedValueEurCents,
        fraudShareOfReturnedValue: stats.returnedValueEurCents === 0 ? 0 : stats.fraudulentReturnedValueEurCents / stats.returnedValueEurCents,
        duplicatesEmitted: stats.duplicatesEmitted,
      },
    };
  }

  return { events, truth, progress: () => ({ day: stats.day, days: options.days, events: stats.events }) };
}
