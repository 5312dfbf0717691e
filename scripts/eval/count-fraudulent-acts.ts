/** One fraudulent return or claim of the simulator's truth: who, and when it entered the stream. */
export interface FraudulentAct {
  customerId: string;
  /** ISO-8601 time: `requestedAt` of a fraudulent return, `openedAt` of a fraudulent claim. */
  at: string;
}

/**
 * Counts each customer's fraudulent acts (returns and claims of the truth) whose time lies in
 * `[from, to)` — the window the risk features can see. Customers without an act in the window are
 * absent from the map (count 0).
 *
 * @param options.acts the truth's fraudulent returns and claims, mapped to {@link FraudulentAct}
 * @param options.from inclusive start of the window (the features' `as_of − 365 days`)
 * @param options.to exclusive end of the window (the features' `as_of`)
 * @returns customer id → number of acts in the window (≥ 1)
 * @throws {RangeError} when the window is not a valid, non-inverted pair of dates or an act's time is not a date
 *
 * @example
 * countFraudulentActs({
 *   acts: [{ customerId: 'c1', at: '2025-03-01T10:00:00Z' }, { customerId: 'c1', at: '2025-04-01T10:00:00Z' }],
 *   from: new Date('2025-01-01T00:00:00Z'),
 *   to: new Date('2026-01-01T00:00:00Z'),
 * }); // Map { 'c1' => 2 }
 */
export function countFraudulentActs(options: { acts: Iterable<FraudulentAct>; from: Date; to: Date }): Map<string, number> {
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs > toMs) {
    throw new RangeError(`countFraudulentActs: from must be a date not after to, got from=${String(options.from)} to=${String(options.to)}`);
  }
  const counts = new Map<string, number>();
  for (const act of options.acts) {
    const atMs = Date.parse(act.at);
    if (!Number.isFinite(atMs)) throw new RangeError(`countFraudulentActs: act time must be an ISO date, got ${JSON.stringify(act.at)} for customer ${act.customerId}`);
    if (atMs < fromMs || atMs >= toMs) continue;
    counts.set(act.customerId, (counts.get(act.customerId) ?? 0) + 1);
  }
  return counts;
}
