export interface ReportedShareInput {
  /**
   * Product-fault return units of mature cohorts by the hour they were requested, counted from
   * midnight (UTC) of their delivery day: index h holds requests in [h, h + 1) hours. Only returns
   * within the detection horizon are counted, so the total is what a complete cohort shows.
   */
  hourCounts: ArrayLike<number>;
  /** Hours from midnight of a cohort's delivery day to the run's time; >= 0. */
  offsetHours: number;
}

/**
 * The share of a complete cohort's returns (within the detection horizon) already requested when a
 * cohort is `offsetHours` old, counted from the start of its delivery day, by linear interpolation
 * inside the hour. A cohort that young is expected to show this share of its eventual returns, so
 * its delivered units count as `share × delivered` of exposure in the detection test — a fresh spike
 * becomes visible days before the cohort is complete, and the count is never compared as if complete.
 * Counting from midnight rather than from each delivery keeps the comparison exact for any spread of
 * delivery times within the day (the same spread is in the mature cohorts the counts come from).
 *
 * @returns a share in [0, 1]; 1 from the last counted hour on
 * @throws {RangeError} when a count is negative or not finite, no unit was counted, or the offset is negative
 *
 * @example
 * reportedShare({ hourCounts: [0, 2, 2, 4], offsetHours: 2.5 }); // 0.375 (2 of 8, plus half of the 2 in hour 2)
 */
export function reportedShare(input: ReportedShareInput): number {
  const { hourCounts, offsetHours } = input;
  if (!(Number.isFinite(offsetHours) && offsetHours >= 0)) throw new RangeError(`offsetHours must be a finite number >= 0, got ${offsetHours}`);
  let total = 0;
  for (let hour = 0; hour < hourCounts.length; hour++) {
    const count = hourCounts[hour]!;
    if (!(Number.isFinite(count) && count >= 0)) throw new RangeError(`hourCounts[${hour}] must be a finite number >= 0, got ${count}`);
    total += count;
  }
  if (total <= 0) throw new RangeError('hourCounts must hold at least one unit');
  const whole = Math.floor(offsetHours);
  let reported = 0;
  for (let hour = 0; hour < Math.min(whole, hourCounts.length); hour++) reported += hourCounts[hour]!;
  if (whole < hourCounts.length) reported += hourCounts[whole]! * (offsetHours - whole);
  return Math.min(1, reported / total);
}
