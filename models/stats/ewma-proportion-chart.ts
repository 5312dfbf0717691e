export interface EwmaProportionChartOptions {
  /** In-control rate p₀ the chart watches for drift, e.g. the trailing-baseline return rate; in (0, 1). */
  baselineRate: number;
  /** Smoothing weight λ of the newest period, in (0, 1]. Default 0.2 (λ = 1 is a Shewhart p-chart). */
  smoothing?: number;
  /** Control-limit width L in standard deviations, > 0. Default 3. */
  limitWidth?: number;
}

export interface EwmaProportionChart {
  /** EWMA statistic zₜ per period (starts from the baseline; carried over periods with 0 trials). */
  statistic: Float64Array;
  /** Upper control limit p₀ + L·σₜ per period (NaN until the first period with trials). */
  upperLimit: Float64Array;
  /** Lower control limit max(0, p₀ − L·σₜ) per period (NaN until the first period with trials). */
  lowerLimit: Float64Array;
  /** Index of the first period whose statistic is above its upper limit, or -1. */
  firstSignal: number;
}

/**
 * EWMA control chart for a series of proportions with varying sample sizes (e.g. weekly return
 * rates of one product): zₜ = λ·pₜ + (1 − λ)·zₜ₋₁ with z₀ = p₀, and the exact time-varying variance
 * σₜ² = λ²·p₀(1 − p₀)/nₜ + (1 − λ)²·σₜ₋₁², σ₀² = 0, so early periods and small weeks get wider limits.
 * A period with 0 trials carries the statistic and variance over unchanged. It detects small
 * sustained shifts sooner than a period-by-period test.
 *
 * @param successes per-period successes (e.g. returned units), finite, 0 <= successes[t] <= trials[t]
 * @param trials per-period trials (e.g. delivered units), finite, >= 0, same length
 * @param options `baselineRate` (required), `smoothing` (default 0.2), `limitWidth` (default 3)
 * @returns the statistic, both limits per period and the first upward signal
 * @throws {RangeError} on mismatched lengths, impossible counts or options out of range
 *
 * @example
 * ewmaProportionChart([5, 6, 15, 18], [100, 100, 100, 100], { baselineRate: 0.05 }).firstSignal; // 2
 */
export function ewmaProportionChart(
  successes: ArrayLike<number>,
  trials: ArrayLike<number>,
  options: EwmaProportionChartOptions,
): EwmaProportionChart {
  const { baselineRate } = options;
  const smoothing = options.smoothing ?? 0.2;
  const limitWidth = options.limitWidth ?? 3;
  if (successes.length !== trials.length) {
    throw new RangeError(`successes and trials must have the same length, got ${successes.length} and ${trials.length}`);
  }
  if (!(baselineRate > 0 && baselineRate < 1)) throw new RangeError(`baselineRate must be in (0, 1), got ${baselineRate}`);
  if (!(smoothing > 0 && smoothing <= 1)) throw new RangeError(`smoothing must be in (0, 1], got ${smoothing}`);
  if (!(Number.isFinite(limitWidth) && limitWidth > 0)) throw new RangeError(`limitWidth must be a finite number > 0, got ${limitWidth}`);
  for (let t = 0; t < trials.length; t++) {
    const n = trials[t]!;
    const x = successes[t]!;
    if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`trials[${t}] must be a finite number >= 0, got ${n}`);
    if (!(Number.isFinite(x) && x >= 0 && x <= n)) throw new RangeError(`successes[${t}] must be in [0, trials[${t}] = ${n}], got ${x}`);
  }
  const periods = trials.length;
  const statistic = new Float64Array(periods);
  const upperLimit = new Float64Array(periods);
  const lowerLimit = new Float64Array(periods);
  const bernoulliVariance = baselineRate * (1 - baselineRate);
  const keep = (1 - smoothing) * (1 - smoothing);
  let z = baselineRate;
  let variance = 0;
  let firstSignal = -1;
  for (let t = 0; t < periods; t++) {
    const n = trials[t]!;
    if (n > 0) {
      z = smoothing * (successes[t]! / n) + (1 - smoothing) * z;
      variance = (smoothing * smoothing * bernoulliVariance) / n + keep * variance;
    }
    statistic[t] = z;
    if (variance === 0) {
      upperLimit[t] = Number.NaN;
      lowerLimit[t] = Number.NaN;
      continue;
    }
    const halfWidth = limitWidth * Math.sqrt(variance);
    upperLimit[t] = baselineRate + halfWidth;
    lowerLimit[t] = Math.max(0, baselineRate - halfWidth);
    if (firstSignal === -1 && z > upperLimit[t]!) firstSignal = t;
  }
  return { statistic, upperLimit, lowerLimit, firstSignal };
}
