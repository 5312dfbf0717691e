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

  it('resumes at most one paused slice per turn of the event loop, in the order they paused', async () => {
    let turn = 0;
    let counting = true;
    const countTurns = (): void => {
      turn++;
      if (counting) setImmediate(countTurns);
    };
    setImmediate(countTurns);
    const resumedAt: [string, number][] = [];
    const slicers = ['decode', 'stage', 'other'].map((name) => ({ name, slicer: createEventLoopSlicer(1) }));
    await Promise.all(
      slicers.map(async ({ name, slicer }) => {
        for (let slice = 0; slice < 3; slice++) {
          await slicer.pause();
          resumedAt.push([name, turn]);
        }
      }),
    );
    counting = false;
    const turns = resumedAt.map(([, at]) => at);
    // Nine slices, each in a turn of its own, taking turns round-robin.
    expect(new Set(turns).size).toBe(9);
    expect(resumedAt.slice(0, 3).map(([name]) => name)).toEqual(['decode', 'stage', 'other']);
    expect(resumedAt.slice(3, 6).map(([name]) => name)).toEqual(['decode', 'stage', 'other']);
  });
});
