import { assertBinaryClassificationInput } from './assert-binary-classification-input.ts';

/** One row of a reliability table. */
export interface CalibrationBin {
  /** Position of the bin among all `binCount` bins (empty bins are omitted, so indices can skip). */
  index: number;
  /** Bin edges; a probability p belongs to the bin with lower < p <= upper (the first bin also takes p = lower). */
  lower: number;
  upper: number;
  /** Rows whose probability fell in the bin (> 0). */
  count: number;
  /** Mean predicted probability of those rows. */
  meanPredicted: number;
  /** Share of those rows with label 1. */
  observedRate: number;
}

export interface CalibrationBinsOptions {
  /** Number of bins, an integer >= 1. Default 10. */
  binCount?: number;
  /**
   * 'uniform': equal-width bins over [0, 1]; 'quantile': edges at the quantiles of the predicted
   * probabilities (equal-count bins; useful when most scores sit near 0, as fraud scores do).
   * Default 'uniform'.
   */
  strategy?: 'uniform' | 'quantile';
}

/**
 * Reliability table: for each bin of predicted probability, the mean prediction and the observed
 * positive rate. A calibrated model has meanPredicted ≈ observedRate in every bin.
 *
 * Bins and assignment follow scikit-learn `calibration_curve(labels, probabilities, n_bins,
 * strategy)`: edges are `i / binCount` (numpy `linspace`) or numpy's linear-interpolation
 * percentiles, a probability on an inner edge goes to the lower bin, and empty bins are left out.
 * `observedRate` and `meanPredicted` equal its `prob_true` and `prob_pred`.
 *
 * @param probabilities predicted probabilities, in [0, 1]
 * @param labels 0 or 1, same length
 * @param options `binCount` (default 10), `strategy` (default 'uniform')
 * @returns the non-empty bins in increasing order of probability
 * @throws {RangeError} on invalid input or options
 *
 * @example
 * calibrationBins([0.05, 0.15, 0.12, 0.9], [0, 0, 1, 1], { binCount: 2 });
 * // [{ index: 0, lower: 0, upper: 0.5, count: 3, meanPredicted: 0.1066…, observedRate: 0.333… },
 * //  { index: 1, lower: 0.5, upper: 1, count: 1, meanPredicted: 0.9, observedRate: 1 }]
 */
export function calibrationBins(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: CalibrationBinsOptions = {},
): CalibrationBin[] {
  assertBinaryClassificationInput(probabilities, labels, { metric: 'calibrationBins', probabilities: true });
  const binCount = options.binCount ?? 10;
  const strategy = options.strategy ?? 'uniform';
  if (!(Number.isInteger(binCount) && binCount >= 1)) {
    throw new RangeError(`calibrationBins: binCount must be an integer >= 1, got ${binCount}`);
  }
  if (strategy !== 'uniform' && strategy !== 'quantile') {
    throw new RangeError(`calibrationBins: strategy must be 'uniform' or 'quantile', got ${String(strategy)}`);
  }
  const edges = strategy === 'uniform' ? uniformEdges(binCount) : quantileEdges(probabilities, binCount);
  const counts = new Float64Array(binCount);
  const predictedSums = new Float64Array(binCount);
  const positiveCounts = new Float64Array(binCount);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    const bin = innerEdgesBelow(edges, p);
    counts[bin]! += 1;
    predictedSums[bin]! += p;
    positiveCounts[bin]! += labels[i]!;
  }
  const bins: CalibrationBin[] = [];
  for (let b = 0; b < binCount; b++) {
    const count = counts[b]!;
    if (count === 0) continue;
    bins.push({
      index: b,
      lower: edges[b]!,
      upper: edges[b + 1]!,
      count,
      meanPredicted: predictedSums[b]! / count,
      observedRate: positiveCounts[b]! / count,
    });
  }
  return bins;
}

/** numpy.linspace(0, 1, binCount + 1): i · step, with the last edge set to exactly 1. */
function uniformEdges(binCount: number): Float64Array {
  const edges = new Float64Array(binCount + 1);
  const step = 1 / binCount;
  for (let i = 0; i < binCount; i++) edges[i] = i * step;
  edges[binCount] = 1;
  return edges;
}

/** numpy.percentile(p, linspace(0, 100, binCount + 1)) with the default linear interpolation. */
function quantileEdges(probabilities: ArrayLike<number>, binCount: number): Float64Array {
  const sorted = Float64Array.from(probabilities).sort();
  const last = sorted.length - 1;
  const edges = new Float64Array(binCount + 1);
  const step = 1 / binCount;
  for (let i = 0; i <= binCount; i++) {
    // scikit-learn passes linspace(0, 1)·100 and numpy divides by 100 again: same rounding path here.
    const q = ((i === binCount ? 1 : i * step) * 100) / 100;
    const position = q * last;
    const below = Math.floor(position);
    const above = Math.min(below + 1, last);
    const weight = position - below;
    const low = sorted[below]!;
    const high = sorted[above]!;
    // numpy's _lerp: a + (b - a)·t, switched to b - (b - a)·(1 - t) for t >= 0.5.
    edges[i] = weight >= 0.5 ? high - (high - low) * (1 - weight) : low + (high - low) * weight;
  }
  return edges;
}

/** numpy.searchsorted(edges[1:-1], p, side='left'): how many inner edges are strictly below p. */
function innerEdgesBelow(edges: Float64Array, p: number): number {
  let low = 1;
  let high = edges.length - 1; // exclusive end of the inner edges
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (edges[middle]! < p) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}
