import { describe, expect, it } from 'vitest';
import { createEventLoopSlicer } from '../../ingest/yield-to-event-loop.ts';

function busyFor(milliseconds: number): void {
  const until = performance.now() + milliseconds;
  while (performance.now() < until) {
    // spin: a synchronous stretch, as decoding a slice of a batch is
  }
}

describe('createEventLoopSlicer', () => {
  it('refuses a budget that is not a positive number of milliseconds', () => {
    expect(() => createEventLoopSlicer(0)).toThrow(/budgetMs must be a positive number/);
    expect(() => createEventLoopSlicer(Number.NaN)).toThrow(RangeError);
  });

  it('says a slice is due only once the budget is used up, checking the clock every 32 calls', () => {
    const slicer = createEventLoopSlicer(200);
    const early = Array.from({ length: 64 }, () => slicer.due());
    busyFor(210);
    const late = Array.from({ length: 32 }, () => slicer.due());
    expect(early.some(Boolean)).toBe(false);
    expect(late.slice(0, 31).some(Boolean)).toBe(false);
    expect(late[31]).toBe(true);
  });

  it('lets pending callbacks run when it pauses, then starts a new slice', async () => {
    const slicer = createEventLoopSlicer(200);
    busyFor(210);
    const exhausted = Array.from({ length: 32 }, () => slicer.due());
    expect(exhausted[31]).toBe(true);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    await slicer.pause();
    expect(ran).toBe(true);
    expect(Array.from({ length: 32 }, () => slicer.due()).some(Boolean)).toBe(false);
  });
});
