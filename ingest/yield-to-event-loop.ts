/**
 * Cooperative slicing for long synchronous loops on the ingest path. `retour serve` runs the API in
 * the same process as ingest, and a micro-batch of 10^5 messages decoded in one go would block its
 * event loop for a second; instead the loop asks `due()` every few items and awaits `pause()` once
 * its slice has used up the budget, so timers, sockets and HTTP requests run in between.
 *
 * Several sliced loops run at once (the decode of batch n+1 while batch n is staged), and each
 * pausing with its own setImmediate would run all their slices back to back in the same turn of the
 * event loop — the turn then lasts the sum of the budgets. So every slicer of the process waits in
 * one queue, and each turn of the event loop resumes at most one slice.
 */
export interface EventLoopSlicer {
  /** True once the current slice has run for the budget (checks the clock only every 32 calls). */
  due(): boolean;
  /** Yields to the event loop (the next turn at the earliest, after pending I/O) and starts a new slice. */
  pause(): Promise<void>;
}

/** Slices waiting to resume, in the order they paused. */
const waiting: (() => void)[] = [];
let turnScheduled = false;

/** Resumes one waiting slice per turn of the event loop (setImmediate: the check phase, after I/O). */
function resumeOneSlice(): void {
  turnScheduled = false;
  const resume = waiting.shift();
  // The slice runs in the microtask checkpoint right after this callback, within this turn; a
  // setImmediate scheduled now runs in the next turn, so the next slice waits for it.
  resume?.();
  if (waiting.length > 0) scheduleTurn();
}

function scheduleTurn(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  setImmediate(resumeOneSlice);
}

/**
 * @param budgetMs longest synchronous stretch wanted (default 1 ms)
 * @example
 * const slicer = createEventLoopSlicer();
 * for (const item of items) { work(item); if (slicer.due()) await slicer.pause(); }
 */
export function createEventLoopSlicer(budgetMs = 1): EventLoopSlicer {
  if (!(budgetMs > 0)) throw new RangeError(`budgetMs must be a positive number of milliseconds, got ${budgetMs}`);
  let sliceStart = performance.now();
  let calls = 0;
  return {
    due() {
      // performance.now() costs ~50 ns; once per 32 items keeps it out of the per-event cost.
      if ((++calls & 31) !== 0) return false;
      return performance.now() - sliceStart >= budgetMs;
    },
    async pause() {
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        scheduleTurn();
      });
      sliceStart = performance.now();
    },
  };
}
