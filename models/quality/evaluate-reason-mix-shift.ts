import { chiSquareIndependenceTest } from '../stats/chi-square-independence-test.ts';

export interface ReasonCount {
  reason: string;
  current: number;
  baseline: number;
}

export interface ReasonMixShiftInput {
  /** Returned units per reason in the current window and the baseline (same detection horizon). */
  reasons: readonly ReasonCount[];
  /** Minimum returned units on each side before the mix is tested. */
  minReturns: number;
  /** Reasons expected fewer than this many times in the current window are pooled into one column. Default 5. */
  minExpected?: number;
}

export interface ReasonShare {
  reason: string;
  units: number;
  share: number;
  baselineShare: number;
}

export interface ReasonMixShift {
  tested: boolean;
  /** Pearson chi-square p-value (2 × k table after pooling); 1 when not tested. */
  pValue: number;
  degreesOfFreedom: number;
  /** Total-variation distance between the two mixes, ½ Σ |current share - baseline share|, in [0, 1]. */
  distance: number;
  currentReturns: number;
  baselineReturns: number;
  /** Reasons ordered by how much their share grew (largest first). */
  shares: ReasonShare[];
}

/**
 * Tests whether the mix of return reasons moved between the baseline and the current window.
 * Sparse reasons are pooled before the chi-square test because expected counts below ~5 make its
 * p-value too small, and Benjamini–Hochberg over thousands of products acts on exactly those tails.
 *
 * @example
 * evaluateReasonMixShift({ reasons: [{ reason: 'fit.too_small', current: 40, baseline: 100 }, { reason: 'quality.defective', current: 60, baseline: 100 }], minReturns: 50 });
 * // { tested: true, pValue: 0.1017…, distance: 0.1, … }
 */
export function evaluateReasonMixShift(input: ReasonMixShiftInput): ReasonMixShift {
  const minExpected = input.minExpected ?? 5;
  if (!(Number.isFinite(input.minReturns) && input.minReturns >= 1)) throw new RangeError(`minReturns must be a finite number >= 1, got ${input.minReturns}`);
  for (const count of input.reasons) {
    if (!(count.current >= 0 && count.baseline >= 0 && Number.isFinite(count.current) && Number.isFinite(count.baseline))) {
      throw new RangeError(`reason ${count.reason} must have finite counts >= 0, got ${count.current} and ${count.baseline}`);
    }
  }
  const currentReturns = input.reasons.reduce((sum, count) => sum + count.current, 0);
  const baselineReturns = input.reasons.reduce((sum, count) => sum + count.baseline, 0);
  const shares = input.reasons
    .map((count) => ({
      reason: count.reason,
      units: count.current,
      share: currentReturns > 0 ? count.current / currentReturns : 0,
      baselineShare: baselineReturns > 0 ? count.baseline / baselineReturns : 0,
    }))
    .sort((a, b) => b.share - b.baselineShare - (a.share - a.baselineShare) || a.reason.localeCompare(b.reason));
  const distance = shares.reduce((sum, share) => sum + Math.abs(share.share - share.baselineShare), 0) / 2;
  if (currentReturns < input.minReturns || baselineReturns < input.minReturns) {
    return { tested: false, pValue: 1, degreesOfFreedom: 0, distance, currentReturns, baselineReturns, shares };
  }
  const total = currentReturns + baselineReturns;
  const kept: number[][] = [[], []];
  let pooledCurrent = 0;
  let pooledBaseline = 0;
  for (const count of input.reasons) {
    const expectedCurrent = ((count.current + count.baseline) * currentReturns) / total;
    if (expectedCurrent < minExpected) {
      pooledCurrent += count.current;
      pooledBaseline += count.baseline;
    } else {
      kept[0]!.push(count.current);
      kept[1]!.push(count.baseline);
    }
  }
  if (pooledCurrent + pooledBaseline > 0) {
    kept[0]!.push(pooledCurrent);
    kept[1]!.push(pooledBaseline);
  }
  const result = chiSquareIndependenceTest(kept);
  return { tested: !result.degenerate, pValue: result.pValue, degreesOfFreedom: result.degreesOfFreedom, distance, currentReturns, baselineReturns, shares };
}
