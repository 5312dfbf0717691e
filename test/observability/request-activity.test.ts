import { describe, expect, it } from 'vitest';
import { createRequestActivity } from '../../observability/request-activity.ts';

describe('createRequestActivity', () => {
  it('is quiet before any request, busy right after one, quiet again after quietAfterMs', () => {
    let clock = 1000;
    const activity = createRequestActivity(250, () => clock);
    expect(activity.busy()).toBe(false);
    activity.note();
    clock += 249;
    expect(activity.busy()).toBe(true);
    clock += 1;
    expect(activity.busy()).toBe(false);
  });

  it('refuses a quiet period that is not a positive number', () => {
    expect(() => createRequestActivity(0)).toThrow(/quietAfterMs/);
    expect(() => createRequestActivity(Number.NaN)).toThrow(/quietAfterMs/);
  });
});
