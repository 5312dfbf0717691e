import { describe, expect, it } from 'vitest';
import { createRequestActivity } from '../../observability/request-activity.ts';

describe('createRequestActivity', () => {
  it('is quiet before any request and busy once minRequests came within the current and previous second', () => {
    let clock = 10_000;
    const activity = createRequestActivity({ minRequests: 3, now: () => clock });
    expect(activity.busy()).toBe(false);
    activity.note();
    activity.note();
    expect(activity.busy()).toBe(false);
    clock += 1000; // the next bucket: the previous one still counts
    activity.note();
    expect(activity.busy()).toBe(true);
  });

  it('stays busy between bursts (a burst each second) and goes quiet one idle bucket after the last burst', () => {
    let clock = 0;
    const activity = createRequestActivity({ minRequests: 10, now: () => clock });
    for (let second = 0; second < 3; second++) {
      clock = second * 1000;
      for (let request = 0; request < 50; request++) activity.note(); // the burst, at the start of the second
      clock = second * 1000 + 900; // long after the burst, before the next one
      expect(activity.busy()).toBe(true);
    }
    clock = 3500; // no burst in second 3: second 2's burst still counts
    expect(activity.busy()).toBe(true);
    clock = 4100; // seconds 3 and 4 without requests
    expect(activity.busy()).toBe(false);
  });

  it('does not count an occasional probe as busy', () => {
    let clock = 0;
    const activity = createRequestActivity({ now: () => clock });
    for (let second = 0; second < 20; second++) {
      clock = second * 1000;
      activity.note(); // one health probe per second
      expect(activity.busy()).toBe(false);
    }
  });

  it('refuses a threshold below 1 and a bucket that is not a positive number', () => {
    expect(() => createRequestActivity({ minRequests: 0 })).toThrow(/minRequests/);
    expect(() => createRequestActivity({ bucketMs: 0 })).toThrow(/bucketMs/);
    expect(() => createRequestActivity({ bucketMs: Number.NaN })).toThrow(/bucketMs/);
  });
});
