import { topicPartitionKey } from '../topic-partition-offset.ts';

/** What one kafkajs fetch returned for one partition, reduced to what admission needs. */
export interface FetchedChunk<M extends { readonly offset: number }> {
  readonly topic: string;
  readonly partition: number;
  /** The offset the fetch asked for; the chunk covers [fetchedOffset, lastOffset] without holes. */
  readonly fetchedOffset: number;
  /** Last offset the fetch covered, control records included (≥ the last message's offset). */
  readonly lastOffset: number;
  /** Messages in offset order (control records and aborted transactions already removed). */
  readonly messages: readonly M[];
}

export type Admission<M> =
  | {
      readonly kind: 'accept';
      /** The messages at or beyond the position, to be handed over. */
      readonly messages: readonly M[];
      /** Messages below the position: already handed over (or stored) once, never again. */
      readonly skipped: number;
      /** Offsets between the position and the chunk's start that Kafka never delivered (0 normally). */
      readonly gap: number;
      readonly nextOffset: number;
    }
  | {
      /** The chunk starts beyond the position: drop it and seek back to `offset`. */
      readonly kind: 'reseek';
      readonly offset: number;
      readonly attempt: number;
    };

export interface PartitionPositionsOptions {
  /**
   * How many times in a row a partition may be sent back to its position because a fetch started
   * beyond it, before the hole is accepted as real (offsets deleted by retention, compacted away,
   * or holding only transaction markers). Default 3: after one seek kafkajs delivers at most one
   * stale batch per partition, so three misses at the same position mean Kafka has nothing there.
   */
  readonly reseekLimit?: number;
}

/**
 * The consumer's position per partition — the next offset it will hand over — and the rule that
 * keeps hand-over contiguous whatever kafkajs delivers after seeks and rebalances:
 *
 * - a chunk that starts at or before the position is accepted, minus the messages below the
 *   position (re-deliveries are never handed over twice);
 * - a chunk that starts beyond the position would skip messages, so it is refused and the caller
 *   seeks back, unless that keeps happening (`reseekLimit`), which means the hole is real.
 *
 * Pure: no I/O, no clock; the consumer calls it synchronously for every fetched batch.
 *
 * @example
 * const positions = new PartitionPositions();
 * positions.set('orders', 0, 100);
 * positions.admit({ topic: 'orders', partition: 0, fetchedOffset: 90, lastOffset: 120, messages });
 * // → { kind: 'accept', messages: offsets 100..120, skipped: 10, gap: 0, nextOffset: 121 }
 */
export class PartitionPositions {
  private readonly reseekLimit: number;
  private readonly positions = new Map<string, number>();
  private readonly misses = new Map<string, number>();

  constructor(options: PartitionPositionsOptions = {}) {
    const reseekLimit = options.reseekLimit ?? 3;
    if (!Number.isInteger(reseekLimit) || reseekLimit < 0) {
      throw new RangeError(`reseekLimit must be an integer >= 0; got ${reseekLimit}`);
    }
    this.reseekLimit = reseekLimit;
  }

  /** Sets the position of a partition (e.g. the next offset stored in DuckDB). */
  set(topic: string, partition: number, nextOffset: number): void {
    if (!Number.isSafeInteger(nextOffset) || nextOffset < 0) {
      throw new RangeError(`nextOffset of ${topic}[${partition}] must be a safe integer >= 0; got ${nextOffset}`);
    }
    this.positions.set(topicPartitionKey(topic, partition), nextOffset);
  }

  /** The position of a partition, or undefined when it was never set nor admitted. */
  get(topic: string, partition: number): number | undefined {
    return this.positions.get(topicPartitionKey(topic, partition));
  }

  /** Decides what to do with a fetched chunk, and advances the position when it is accepted. */
  admit<M extends { readonly offset: number }>(chunk: FetchedChunk<M>): Admission<M> {
    const key = topicPartitionKey(chunk.topic, chunk.partition);
    const position = this.positions.get(key);
    const nextOffset = Math.max(position ?? 0, chunk.lastOffset + 1);
    if (position === undefined) {
      this.positions.set(key, nextOffset);
      return { kind: 'accept', messages: chunk.messages, skipped: 0, gap: 0, nextOffset };
    }
    if (chunk.fetchedOffset > position) {
      const attempt = (this.misses.get(key) ?? 0) + 1;
      if (attempt <= this.reseekLimit) {
        this.misses.set(key, attempt);
        return { kind: 'reseek', offset: position, attempt };
      }
    }
    this.misses.delete(key);
    this.positions.set(key, nextOffset);
    let first = 0;
    // Messages are in offset order: find the first one at or beyond the position.
    while (first < chunk.messages.length && chunk.messages[first]!.offset < position) first++;
    return {
      kind: 'accept',
      messages: first === 0 ? chunk.messages : chunk.messages.slice(first),
      skipped: first,
      gap: Math.max(0, chunk.fetchedOffset - position),
      nextOffset,
    };
  }
}
