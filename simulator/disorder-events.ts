import type { RetourEvent } from '../domain/events/event-schemas.ts';
import type { SeededRandom } from '../models/random/seeded-random.ts';
import { EventHeap } from './event-heap.ts';

export interface DisorderOptions {
  random: SeededRandom;
  /** Each event is delayed by a uniform 0..window seconds, so events up to that far apart may swap. */
  shuffleWindowSeconds: number;
  /** Probability that an event is re-sent later (same id, same content). */
  duplicateRate: number;
  /** Called once per re-sent duplicate. */
  onDuplicate?: () => void;
}

/**
 * Emits a time-ordered stream with bounded disorder and re-sent duplicates, as real producers do,
 * for ingest tests: an inspection may come before its return request, a refund twice.
 * @example
 * for (const event of disorderEvents(events, { random, shuffleWindowSeconds: 3600, duplicateRate: 0.01 })) send(event);
 */
export function* disorderEvents(source: Iterable<RetourEvent>, options: DisorderOptions): Generator<RetourEvent> {
  const { random, shuffleWindowSeconds, duplicateRate } = options;
  if (!(shuffleWindowSeconds >= 0) || !Number.isFinite(shuffleWindowSeconds)) {
    throw new RangeError(`shuffleWindowSeconds must be a finite number >= 0, got ${shuffleWindowSeconds}`);
  }
  if (!(duplicateRate >= 0 && duplicateRate <= 1)) throw new RangeError(`duplicateRate must be between 0 and 1, got ${duplicateRate}`);
  const windowMs = shuffleWindowSeconds * 1000;
  // Duplicates come back within the window, or within a minute when nothing is shuffled.
  const resendMs = Math.max(windowMs, 60_000);
  const pending = new EventHeap<RetourEvent>();
  for (const event of source) {
    const timeMs = Date.parse(event.time);
    // Every later input has time >= timeMs, so anything due by now can go.
    while (pending.peekTime() <= timeMs) yield pending.pop()!;
    pending.push(timeMs + random.next() * windowMs, event);
    if (duplicateRate > 0 && random.next() < duplicateRate) {
      pending.push(timeMs + random.next() * resendMs, event);
      options.onDuplicate?.();
    }
  }
  while (pending.size > 0) yield pending.pop()!;
}
