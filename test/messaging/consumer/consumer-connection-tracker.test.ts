import { describe, expect, it } from 'vitest';
import { ConsumerConnectionTracker, describeKafkaError } from '../../../messaging/consumer/consumer-connection-tracker.ts';

/** A tracker on a clock the test moves by hand (ms since epoch). */
function trackerAt(start: number, graceMs = 2000) {
  let now = start;
  const tracker = new ConsumerConnectionTracker({ graceMs, now: () => now });
  return { tracker, advance: (ms: number) => (now += ms), now: () => now };
}

const REFUSED = 'Connection error: connect ECONNREFUSED 127.0.0.1:9092';

describe('ConsumerConnectionTracker', () => {
  it('is connecting from its creation until the first join, then consuming since the join', () => {
    const { tracker, advance } = trackerAt(1000);
    advance(500);
    expect(tracker.current()).toEqual({ state: 'connecting', since: 1000, lastError: undefined });
    tracker.joined();
    advance(100);
    expect(tracker.current()).toEqual({ state: 'consuming', since: 1500, lastError: undefined });
  });

  it('turns reconnecting once trouble outlasts the grace, dated from the first failure, with the last error', () => {
    const { tracker, advance } = trackerAt(0);
    tracker.joined();
    advance(10_000);
    tracker.troubled(REFUSED);
    advance(1999);
    expect(tracker.current().state).toBe('consuming');
    advance(1);
    expect(tracker.current()).toEqual({ state: 'reconnecting', since: 10_000, lastError: REFUSED });
    // kafkajs gives up its retries and restarts the consumer: still the same outage, newer error.
    advance(5000);
    tracker.left('KafkaJSNumberOfRetriesExceeded: Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(tracker.current()).toEqual({ state: 'reconnecting', since: 10_000, lastError: 'KafkaJSNumberOfRetriesExceeded: Connection error: connect ECONNREFUSED 127.0.0.1:9092' });
  });

  it('does not count a blip shorter than the grace: an answered fetch clears it and consuming keeps its date', () => {
    const { tracker, advance } = trackerAt(0);
    tracker.joined();
    advance(3000);
    tracker.troubled(REFUSED);
    advance(400);
    tracker.answered();
    advance(5000);
    expect(tracker.current()).toEqual({ state: 'consuming', since: 0, lastError: undefined });
  });

  it('recovers when a fetch is answered again while still in the group, consuming since then', () => {
    const { tracker, advance } = trackerAt(0);
    tracker.joined();
    tracker.troubled('Request Fetch to 127.0.0.1:9092 timed out');
    advance(30_000);
    expect(tracker.current().state).toBe('reconnecting');
    tracker.answered();
    expect(tracker.current()).toEqual({ state: 'consuming', since: 30_000, lastError: undefined });
  });

  it('after leaving the group, answers prove nothing: only the next join ends the outage', () => {
    const { tracker, advance } = trackerAt(0);
    tracker.joined();
    advance(1000);
    tracker.left('KafkaJSNonRetriableError: Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    advance(3000);
    // A heartbeat answered between the crash and the re-join (kafkajs restarts; the member is not back yet).
    tracker.answered();
    expect(tracker.current()).toMatchObject({ state: 'reconnecting', since: 1000 });
    advance(20_000);
    tracker.joined();
    expect(tracker.current()).toEqual({ state: 'consuming', since: 24_000, lastError: undefined });
  });

  it('counts a rebalance that does not end within the grace as reconnecting', () => {
    const { tracker, advance } = trackerAt(0);
    tracker.joined();
    tracker.left('the consumer group is rebalancing');
    advance(500);
    expect(tracker.current().state).toBe('consuming');
    advance(1500);
    expect(tracker.current()).toEqual({ state: 'reconnecting', since: 0, lastError: 'the consumer group is rebalancing' });
  });

  it('is reconnecting before the first join too, when the brokers go away meanwhile', () => {
    const { tracker, advance } = trackerAt(0);
    tracker.troubled(REFUSED);
    advance(2000);
    expect(tracker.current()).toEqual({ state: 'reconnecting', since: 0, lastError: REFUSED });
  });

  it('is troubled from the first failure, before the grace is over, until an answer', () => {
    const { tracker } = trackerAt(0);
    tracker.joined();
    expect(tracker.isTroubled()).toBe(false);
    tracker.troubled(REFUSED);
    expect(tracker.isTroubled()).toBe(true);
    expect(tracker.current().state).toBe('consuming');
    tracker.answered();
    expect(tracker.isTroubled()).toBe(false);
  });

  it('keeps long errors short', () => {
    const { tracker, advance } = trackerAt(0, 0);
    tracker.troubled('x'.repeat(1000));
    advance(1);
    expect(tracker.current().lastError).toHaveLength(300);
  });

  it('refuses a negative grace, naming it', () => {
    expect(() => new ConsumerConnectionTracker({ graceMs: -1 })).toThrow('graceMs must be a number >= 0; got -1');
  });
});

describe('describeKafkaError', () => {
  it("gives kafkajs' name and message on one line", () => {
    const cause = Object.assign(new Error(REFUSED), { name: 'KafkaJSConnectionError' });
    const wrapper = Object.assign(new Error(REFUSED, { cause }), { name: 'KafkaJSNumberOfRetriesExceeded' });
    expect(describeKafkaError(wrapper)).toBe(`KafkaJSNumberOfRetriesExceeded: ${REFUSED}`);
    expect(describeKafkaError('plain text')).toBe('plain text');
  });
});
