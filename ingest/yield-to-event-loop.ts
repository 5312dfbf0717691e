/**
 * Cooperative slicing for long synchronous loops on the ingest path. `retour serve` runs the API in
 * the same process as ingest, and a micro-batch of 10^5 messages decoded in one go would block its
 * event loop for a second; instead the loop asks `due()` every few items and awaits `pause()` once
 * its slice has used up the budget, so timers, sockets and HTTP requests run in between.
 */
export interface EventLoopSlicer {
  /** True once the current slice has run for the budget (checks the clock only every 32 calls). */
  due(): boolean;
  /** Yields to the event loop (setImmediate: after pending I/O) and starts a new slice. */
  pause(): Promise<void>;
}

/**
 * @param budgetMs longest synchronous stretch wanted (default 2 ms)
 * @example
 * const slicer = createEventLoopSlicer();
 * for (const item of items) { work(item); if (slicer.due()) await slicer.pause(); }
 */
export function createEventLoopSlicer(budgetMs = 2): EventLoopSlicer {
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
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    },
  };
}
