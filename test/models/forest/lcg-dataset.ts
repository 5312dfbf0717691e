import type { FeatureMatrix } from '../../../models/forest/binary-classifier.ts';

/**
 * A synthetic binary problem generated with a 32-bit LCG (Numerical Recipes constants), written so
 * that scripts/reference/forest_reference.py produces bit-identical rows: only +, −, × and
 * comparisons touch the draws, which IEEE-754 doubles compute identically in V8 and CPython.
 * Keep the two in step — any change here must be made there too, and the reference AUCs recomputed.
 *
 * Label: score = 3·x0 − 2·x1 + 2·x2·x3 + [x4 > 0.5] − 0.5·x5 + noise > threshold, with x6…x9 pure
 * noise and noise = u1 + u2 + u3 − 1.5. With `missing`, x0 is NaN for ~15% of rows and x7 is NaN
 * for ~50% of positives but ~5% of negatives (informative missingness).
 */
export interface LcgDataset {
  readonly features: FeatureMatrix;
  readonly labels: Uint8Array;
}

export const LCG_FEATURE_COUNT = 10;

export function createLcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

export function generateLcgDataset(options: {
  seed: number;
  rowCount: number;
  threshold: number;
  missing: boolean;
}): LcgDataset {
  const { seed, rowCount, threshold, missing } = options;
  const next = createLcg(seed);
  const featureCount = LCG_FEATURE_COUNT;
  const values = new Float64Array(rowCount * featureCount);
  const labels = new Uint8Array(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const x: number[] = [];
    for (let j = 0; j < featureCount; j++) x.push(next());
    const noise = next() + next() + next() - 1.5;
    const [x0, x1, x2, x3, x4, x5] = x as [number, number, number, number, number, number];
    const score = 3 * x0 - 2 * x1 + 2 * (x2 * x3) + (x4 > 0.5 ? 1 : 0) - 0.5 * x5 + noise;
    const label = score > threshold ? 1 : 0;
    labels[row] = label;
    // Both draws happen whether or not `missing` is set, so the two variants share their rows.
    const missingX0 = next() < 0.15;
    const missingX7 = next() < (label === 1 ? 0.5 : 0.05);
    if (missing && missingX0) x[0] = Number.NaN;
    if (missing && missingX7) x[7] = Number.NaN;
    for (let j = 0; j < featureCount; j++) values[j * rowCount + row] = x[j] as number;
  }
  return { features: { rowCount, featureCount, values }, labels };
}
