import { fisherExactGreater } from '../stats/fisher-exact-greater.ts';
import { wilsonInterval } from '../stats/wilson-interval.ts';

export interface FaultChangeInput {
  /** Current window: delivered units and product-fault units returned within the detection horizon. */
  current: { faults: number; delivered: number };
  /** Trailing baseline, same horizon. */
  baseline: { faults: number; delivered: number };
  /** Minimum delivered units on each side before the product is tested at all. */
  minUnits: number;
}

export interface FaultChange {
  /** False when either side has fewer than `minUnits` delivered units (no p-value then). */
  tested: boolean;
  currentRate: number;
  baselineRate: number;
  /** 95% Wilson interval of the current rate. */
  currentLow: number;
  currentHigh: number;
  /** currentRate / baselineRate (Infinity when the baseline had no faults and the current has some). */
  ratio: number;
  /** Faults above what the baseline rate predicts for the current units (the alert's severity). */
  excessUnits: number;
  /** One-sided Fisher exact p-value for an increase; 1 when not tested. */
  pValue: number;
}

/**
 * Compares one product's current product-fault rate with its trailing baseline.
 *
 * @example
 * evaluateFaultChange({ current: { faults: 14, delivered: 100 }, baseline: { faults: 50, delivered: 1000 }, minUnits: 100 });
 * // { tested: true, currentRate: 0.14, baselineRate: 0.05, ratio: 2.8, excessUnits: 9, pValue: 0.00108…, … }
 */
export function evaluateFaultChange(input: FaultChangeInput): FaultChange {
  const { current, baseline, minUnits } = input;
  if (!(Number.isFinite(minUnits) && minUnits >= 1)) throw new RangeError(`minUnits must be a finite number >= 1, got ${minUnits}`);
  const currentRate = current.delivered > 0 ? current.faults / current.delivered : 0;
  const baselineRate = baseline.delivered > 0 ? baseline.faults / baseline.delivered : 0;
  const interval = wilsonInterval(current.faults, current.delivered);
  const ratio = baselineRate > 0 ? currentRate / baselineRate : currentRate > 0 ? Number.POSITIVE_INFINITY : 1;
  const excessUnits = current.faults - baselineRate * current.delivered;
  const tested = current.delivered >= minUnits && baseline.delivered >= minUnits;
  const pValue = tested
    ? fisherExactGreater({ current: { successes: current.faults, trials: current.delivered }, baseline: { successes: baseline.faults, trials: baseline.delivered } })
    : 1;
  return { tested, currentRate, baselineRate, currentLow: interval.lower, currentHigh: interval.upper, ratio, excessUnits, pValue };
}
