import type { ConsumerConnection } from './batch-consumer.ts';

export interface ConsumerConnectionTrackerOptions {
  /**
   * How long trouble must last, with no fetch or heartbeat answered in between, before the
   * consumer counts as reconnecting (default 2000 ms): one refused connection while kafkajs
   * fails over to another broker, or a rebalance that completes at once, is not an outage.
   */
  readonly graceMs?: number;
  /** Clock in ms since epoch (default Date.now; tests inject one). */
  readonly now?: () => number;
}

/** Longest error text kept: enough for kafkajs' "Connection error: connect ECONNREFUSED host:port". */
const MAX_ERROR_LENGTH = 300;

/**
 * Whether a Kafka consumer is consuming, from what kafkajs tells it: the group joins, answered
 * fetches and heartbeats, and trouble (connection errors, request timeouts, rebalances, crashes
 * kafkajs restarts from). No timers: the state is worked out when asked.
 *
 * @example
 * const tracker = new ConsumerConnectionTracker({ graceMs: 2000 });
 * tracker.joined();
 * tracker.troubled('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
 * tracker.current(); // 'consuming' for 2 s, then { state: 'reconnecting', since: <first trouble>, lastError }
 */
export class ConsumerConnectionTracker {
  readonly #graceMs: number;
  readonly #now: () => number;
  readonly #startedAt: number;
  #hasJoined = false;
  /** In the group: between a join and the next rebalance or crash. */
  #inGroup = false;
  #consumingSince = 0;
  /** First trouble not yet followed by a join, fetch or heartbeat: the start of the outage. */
  #troubleSince: number | undefined;
  #lastError: string | undefined;

  constructor(options: ConsumerConnectionTrackerOptions = {}) {
    const graceMs = options.graceMs ?? 2000;
    if (!Number.isFinite(graceMs) || graceMs < 0) throw new RangeError(`graceMs must be a number >= 0; got ${graceMs}`);
    this.#graceMs = graceMs;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  /** The consumer joined the group (GROUP_JOIN): consuming, whatever happened before. */
  joined(): void {
    const now = this.#now();
    this.#hasJoined = true;
    this.#inGroup = true;
    this.#consumingSince = now;
    this.#troubleSince = undefined;
    this.#lastError = undefined;
  }

  /** A broker answered a fetch or a heartbeat. Proves nothing outside the group (after a crash kafkajs reconnects before it re-joins). */
  answered(): void {
    if (!this.#inGroup || this.#troubleSince === undefined) return;
    const now = this.#now();
    // A blip shorter than the grace never showed as reconnecting: consuming since the same time as before.
    if (now - this.#troubleSince >= this.#graceMs) this.#consumingSince = now;
    this.#troubleSince = undefined;
    this.#lastError = undefined;
  }

  /** Something failed that kafkajs retries (a connection error, a request timeout); the member may still be in the group. */
  troubled(error: string): void {
    this.#troubleSince ??= this.#now();
    this.#lastError = error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
  }

  /** The member left the group against its will (a rebalance, a crash kafkajs restarts from): trouble until the next join. */
  left(error: string): void {
    this.#inGroup = false;
    this.troubled(error);
  }

  /** True from a failure until the next join or answer, grace or not. */
  isTroubled(): boolean {
    return this.#troubleSince !== undefined;
  }

  current(): ConsumerConnection {
    const now = this.#now();
    if (this.#troubleSince !== undefined && now - this.#troubleSince >= this.#graceMs) {
      return { state: 'reconnecting', since: this.#troubleSince, lastError: this.#lastError };
    }
    if (!this.#hasJoined) return { state: 'connecting', since: this.#startedAt, lastError: undefined };
    return { state: 'consuming', since: this.#consumingSince, lastError: undefined };
  }
}

/**
 * One line for a kafkajs error: its name and message. kafkajs' wrappers (KafkaJSNumberOfRetriesExceeded,
 * KafkaJSNonRetriableError) copy their cause's message, so the cause adds nothing.
 *
 * @example
 * describeKafkaError(crash.payload.error) // 'KafkaJSNumberOfRetriesExceeded: Connection error: connect ECONNREFUSED 127.0.0.1:9092'
 */
export function describeKafkaError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message === '' ? error.name : `${error.name}: ${error.message}`;
}
