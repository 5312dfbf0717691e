/**
 * How busy the API is, so that background work in the same process (ingest catching up a backlog)
 * can give way to callers who wait for an answer (ingest/ingest-pacer.ts). The API notes every
 * request; costs one clock read per request.
 *
 * "Busy" is a rate, not the last request's time: load generators and real clients send in bursts
 * (autocannon's `-R 5000` sends each second's 5,000 requests as fast as it can, then waits), so a
 * short "last request" memory calls the API quiet between bursts and ingest starts a long write
 * just before the next one. Counting requests in 1-second buckets (this one and the previous one)
 * bridges the gaps, while a health probe or a metrics scrape now and then stays below the threshold.
 */
export interface RequestActivity {
  /** Called by the API on every request. */
  note(): void;
  /** True while at least `minRequests` requests came in the current and the previous second. */
  busy(): boolean;
}

export interface RequestActivityOptions {
  /** Requests within the current and previous bucket that make the API busy (default 10). */
  minRequests?: number;
  /** Bucket length (default 1000 ms). */
  bucketMs?: number;
  /** Clock in milliseconds (default performance.now). */
  now?: () => number;
}

/**
 * @example
 * const activity = createRequestActivity();
 * app.addHook('onRequest', (request, reply, done) => { activity.note(); done(); });
 * if (activity.busy()) await pause();
 */
export function createRequestActivity(options: RequestActivityOptions = {}): RequestActivity {
  const minRequests = options.minRequests ?? 10;
  const bucketMs = options.bucketMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  if (!Number.isInteger(minRequests) || minRequests < 1) throw new RangeError(`minRequests must be an integer >= 1; got ${minRequests}`);
  if (!Number.isFinite(bucketMs) || bucketMs <= 0) throw new RangeError(`bucketMs must be a positive number; got ${bucketMs}`);
  let bucket = Math.floor(now() / bucketMs);
  let current = 0;
  let previous = 0;
  /** Moves the buckets forward to the present. */
  const advance = (): void => {
    const present = Math.floor(now() / bucketMs);
    if (present === bucket) return;
    previous = present === bucket + 1 ? current : 0;
    current = 0;
    bucket = present;
  };
  return {
    note() {
      advance();
      current += 1;
    },
    busy() {
      advance();
      return current + previous >= minRequests;
    },
  };
}
