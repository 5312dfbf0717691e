import { poissonRateRatioGreater } from '../stats/poisson-rate-ratio-greater.ts';
import { wilsonInterval } from '../stats/wilson-interval.ts';

/** One delivery day of a product's recent cohorts, as seen by the run. */
export interface FaultScanDay {
  delivered: number;
  /** Product-fault units returned within the detection horizon and requested by the run's time. */
  faults: number;
  /** Share of a complete cohort's faults expected by now (1 for cohorts past the horizon); see reportedShare. */
  reportedShare: number;
}

export interface FaultScanInput {
  /** The recent delivery days, oldest first, ending with the newest day the run counts. */
  days: readonly FaultScanDay[];
  /** The trailing baseline (complete cohorts only), same horizon. */
  baseline: { faults: number; delivered: number };
  /** Window lengths in days, each ending at the newest day; every one must be <= days.length. */
  windowDays: readonly number[];
  /** Delivered units a window and the baseline need before the window is tested. */
  minUnits: number;
  /** Days whose reportedShare is below this are left out of every window (too little has arrived to say anything). */
  minReportedShare: number;
}

export interface FaultScanWindow {
  days: number;
  delivered: number;
  faults: number;
  /** Delivered units weighted by their reported share: the units the faults were counted over. */
  exposure: number;
  tested: boolean;
  /** One-sided exact conditional Poisson p-value against the baseline; 1 when not tested. */
  pValue: number;
}

export interface FaultScan {
  /** At least one window was tested. */
  tested: boolean;
  windows: FaultScanWindow[];
  /** The tested window with the smallest p-value (the shortest one on ties); the first window when none was tested. */
  best: FaultScanWindow;
  /** Bonferroni over the tested windows: min(1, tested windows × smallest p). */
  pValue: number;
  baselineRate: number;
  /** The best window's faults per unit of exposure: a complete-cohort rate, comparable with the baseline. */
  currentRate: number;
  /** 95% Wilson interval of the best window's rate (faults over exposure). */
  currentLow: number;
  currentHigh: number;
  /** currentRate / baselineRate (Infinity when the baseline had no faults and the window has some). */
  ratio: number;
  /** Faults above what the baseline rate predicts for the best window's exposure (the alert's severity). */
  excessUnits: number;
}

/**
 * Scans one product's recent delivery days for a rise in the product-fault rate: every window
 * (e.g. the last 7, 14 and 28 days) is compared with the trailing baseline by an exact conditional
 * Poisson test, with young cohorts counted by the share of their returns that has had time to arrive;
 * the smallest p-value is Bonferroni-adjusted by the number of windows tested, so the result is one
 * valid p-value per product that Benjamini–Hochberg can combine across products. Short windows react
 * within days to a strong rise on a best-seller; long ones pool evidence for products that sell too
 * little for a week to say anything. The minimum-units rule applies to each window's delivered units.
 *
 * @example
 * const day = { delivered: 40, faults: 3, reportedShare: 1 };
 * evaluateFaultScan({ days: Array(14).fill(day), baseline: { faults: 45, delivered: 2240 }, windowDays: [7, 14],
 *   minUnits: 100, minReportedShare: 0.05 });
 * // { tested: true, best: { days: 14, faults: 42, exposure: 560, … }, pValue: ≈ 2·(exact p of 42 on 560 vs 45 on 2240), … }
 */
export function evaluateFaultScan(input: FaultScanInput): FaultScan {
  const { days, baseline, windowDays, minUnits, minReportedShare } = input;
  if (windowDays.length === 0) throw new RangeError('windowDays must name at least one window');
  for (const length of windowDays) {
    if (!(Number.isInteger(length) && length >= 1 && length <= days.length)) throw new RangeError(`windowDays must be integers in [1, days.length = ${days.length}], got ${length}`);
  }
  if (!(Number.isFinite(minUnits) && minUnits >= 1)) throw new RangeError(`minUnits must be a finite number >= 1, got ${minUnits}`);
  if (!(minReportedShare > 0 && minReportedShare <= 1)) throw new RangeError(`minReportedShare must be in (0, 1], got ${minReportedShare}`);
  const baselineRate = baseline.delivered > 0 ? baseline.faults / baseline.delivered : 0;
  const windows = windowDays.map((length): FaultScanWindow => {
    let delivered = 0;
    let faults = 0;
    let exposure = 0;
    for (let index = days.length - length; index < days.length; index++) {
      const day = days[index]!;
      if (!(day.reportedShare >= 0 && day.reportedShare <= 1)) throw new RangeError(`reportedShare must be in [0, 1], got ${day.reportedShare}`);
      delivered += day.delivered;
      if (day.reportedShare < minReportedShare) continue;
      faults += day.faults;
      exposure += day.delivered * day.reportedShare;
    }
    const tested = delivered >= minUnits && baseline.delivered >= minUnits && exposure > 0;
    const pValue = tested
      ? poissonRateRatioGreater({ current: { events: faults, exposure }, baseline: { events: baseline.faults, exposure: baseline.delivered } })
      : 1;
    return { days: length, delivered, faults, exposure, tested, pValue };
  });
  const tested = windows.filter((window) => window.tested);
  const best = tested.reduce<FaultScanWindow | undefined>(
    (chosen, window) => (chosen === undefined || window.pValue < chosen.pValue || (window.pValue === chosen.pValue && window.days < chosen.days) ? window : chosen),
    undefined,
  ) ?? windows[0]!;
  const currentRate = best.exposure > 0 ? best.faults / best.exposure : 0;
  // Wilson needs successes <= trials; a window can only show more faults than exposure when almost nothing is exposed.
  const interval = wilsonInterval(best.faults, Math.max(best.exposure, best.faults));
  const ratio = baselineRate > 0 ? currentRate / baselineRate : currentRate > 0 ? Number.POSITIVE_INFINITY : 1;
  return {
    tested: tested.length > 0,
    windows,
    best,
    pValue: tested.length === 0 ? 1 : Math.min(1, tested.length * best.pValue),
    baselineRate,
    currentRate,
    currentLow: interval.lower,
    currentHigh: interval.upper,
    ratio,
    excessUnits: best.faults - baselineRate * best.exposure,
  };
}
