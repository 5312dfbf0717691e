/**
 * When the API last received a request, so that background work in the same process (ingest
 * catching up a backlog) can give way to callers who wait for an answer (ingest/ingest-pacer.ts).
 * The API notes every request; costs one clock read per request.
 */
export interface RequestActivity {
  /** Called by the API on every request. */
  note(): void;
  /** True while the last request came less than `quietAfterMs` ago. */
  busy(): boolean;
}

/**
 * @example
 * const activity = createRequestActivity();
 * app.addHook('onRequest', (request, reply, done) => { activity.note(); done(); });
 * if (activity.busy()) await pause();
 */
export function createRequestActivity(quietAfterMs = 250, now: () => number = () => performance.now()): RequestActivity {
  if (!Number.isFinite(quietAfterMs) || quietAfterMs <= 0) throw new RangeError(`quietAfterMs must be a positive number; got ${quietAfterMs}`);
  let lastRequestAt = Number.NEGATIVE_INFINITY;
  return {
    note() {
      lastRequestAt = now();
    },
    busy: () => now() - lastRequestAt < quietAfterMs,
  };
}
