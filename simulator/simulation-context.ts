import type { EventData, EventType, RetourEvent } from '../domain/events/event-schemas.ts';
import type { SeededRandom } from '../models/random/seeded-random.ts';
import type { Catalogue } from './build-catalogue.ts';
import type { EventHeap } from './event-heap.ts';
import type { OpaqueIdFactory } from './opaque-id-factory.ts';
import type { AnomalyRates } from './simulation-parameters.ts';
import type { AnomalyKind, TruthDecision, TruthFraudulentClaim, TruthFraudulentReturn } from './simulation-truth.ts';

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/** Bookkeeping that travels with a scheduled return request, for the realised-rate summary. */
export interface ReturnStats {
  valueEurCents: number;
  categories: string[];
  fraudulent: boolean;
}

export interface ScheduledEvent {
  event: RetourEvent;
  returnStats?: ReturnStats;
}

/** An anomaly as planned; the truth keeps it only if the stream shows it before it ends. */
export interface PlannedAnomaly {
  returnId: string;
  kind: AnomalyKind;
  customerId: string;
  cause: 'injected' | 'refund_abuse';
  observableMs: number;
  /** A late refund that falls after the end looks like a missing refund from this time on. */
  missingFromMs?: number;
}

export interface ReturnPolicy {
  returnWindowDays: number;
  returnWindowByCategory: Readonly<Record<string, number>>;
  refundSlaDays: number;
}

export interface SimulationContext {
  readonly random: SeededRandom;
  readonly ids: OpaqueIdFactory;
  readonly heap: EventHeap<ScheduledEvent>;
  readonly startMs: number;
  /** Exclusive end of the stream: nothing at or after it is scheduled. */
  readonly endMs: number;
  readonly catalogue: Catalogue;
  readonly policy: ReturnPolicy;
  readonly anomalyRates: AnomalyRates;
  readonly fraudulentReturns: TruthFraudulentReturn[];
  readonly fraudulentClaims: TruthFraudulentClaim[];
  readonly anomalies: PlannedAnomaly[];
  readonly decisions: TruthDecision[];
}

/** RFC 3339 UTC with whole seconds: 2025-03-01T10:15:00Z. */
export function formatTime(timeMs: number): string {
  const seconds = Math.floor(timeMs / 1000);
  const day = Math.floor(seconds / 86_400);
  // The date part is cached per day and the clock built from a table: this runs for every event.
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDatePrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const secondOfDay = seconds - day * 86_400;
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay - hour * 3600) / 60);
  return `${cachedDatePrefix}${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[secondOfDay % 60]}Z`;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, value) => String(value).padStart(2, '0'));
let cachedDay = Number.NaN;
let cachedDatePrefix = '';

/**
 * Schedules one CloudEvent at `timeMs`. Events at or after the end of the stream are dropped here,
 * so no work is spent on them. Returns the formatted time, for data fields that repeat it.
 */
export function scheduleEvent<T extends EventType>(
  context: SimulationContext,
  options: { timeMs: number; type: T; source: string; subject: string; customerId: string; data: EventData<T>; returnStats?: ReturnStats },
): void {
  if (options.timeMs >= context.endMs) return;
  // `partitionkey` is the CloudEvents partitioning extension: the Kafka key (the customer), also
  // for events whose data does not name the customer (return.received, return.inspected …).
  const event = {
    specversion: '1.0' as const,
    id: context.ids.id('evt', 24),
    source: options.source,
    type: options.type,
    time: formatTime(options.timeMs),
    subject: options.subject,
    datacontenttype: 'application/json' as const,
    dataschema: 'retour/v1',
    partitionkey: options.customerId,
    data: options.data,
  } as RetourEvent;
  context.heap.push(options.timeMs, options.returnStats === undefined ? { event } : { event, returnStats: options.returnStats });
}

export function windowDaysFor(policy: ReturnPolicy, category: string): number {
  return policy.returnWindowByCategory[category] ?? policy.returnWindowDays;
}

export function uniform(random: SeededRandom, min: number, max: number): number {
  return min + (max - min) * random.next();
}

/** Picks a key of a probability table. */
export function pick<K extends string>(random: SeededRandom, table: Readonly<Record<K, number>>): K {
  let u = random.next();
  const keys = Object.keys(table) as K[];
  for (const key of keys) {
    u -= table[key];
    if (u < 0) return key;
  }
  return keys[keys.length - 1]!;
}
