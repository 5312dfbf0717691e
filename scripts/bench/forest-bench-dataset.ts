/**
 * Synthetic fraud-like training data for the forest benchmark: a mix of skewed amounts, small
 * counts, flags, missing history (NaN) and pure noise columns, with a rare positive label drawn
 * from a logistic model that has interactions and thresholds (so trees have something to find and
 * the best reachable ROC-AUC is well below 1, as with real labels). Deterministic for a seed.
 */
import type { FeatureMatrix } from '../../models/forest/binary-classifier.ts';
import { createSeededRandom } from '../../models/random/seeded-random.ts';

export interface ForestBenchDataset {
  readonly features: FeatureMatrix;
  readonly labels: Uint8Array;
  readonly positiveRate: number;
}

/**
 * @example
 * const { features, labels } = generateForestBenchDataset({ rowCount: 100_000, featureCount: 30, seed: 1 });
 */
export function generateForestBenchDataset(options: {
  rowCount: number;
  featureCount: number;
  seed: number;
}): ForestBenchDataset {
  const { rowCount, featureCount, seed } = options;
  if (!Number.isInteger(rowCount) || rowCount < 1) throw new RangeError(`rowCount must be a positive integer, got ${rowCount}`);
  if (!Number.isInteger(featureCount) || featureCount < 12) {
    throw new RangeError(`featureCount must be an integer ≥ 12 (the informative columns), got ${featureCount}`);
  }
  const random = createSeededRandom(seed);
  const values = new Float64Array(rowCount * featureCount);
  const labels = new Uint8Array(rowCount);
  let positives = 0;
  const set = (feature: number, row: number, value: number): void => {
    values[feature * rowCount + row] = value;
  };
  for (let row = 0; row < rowCount; row++) {
    const z0 = random.nextNormal();
    const z1 = random.nextNormal();
    const z2 = random.nextNormal();
    const z3 = random.nextNormal();
    const returnRate = 1 / (1 + Math.exp(-(z0 - 1))); // share of items returned
    const returnedValue = Math.exp(3 + z1); // skewed amount
    const accountAgeDays = Math.floor(Math.exp(5 + 1.2 * z2));
    const notDeclaredCount = Math.floor(-Math.log(1 - random.next()) * (0.1 + 0.4 * (z0 > 1 ? 1 : 0)));
    const claims = Math.floor(-Math.log(1 - random.next()) * 0.5);
    const bracketing = random.next() < 0.15 ? 1 : 0;
    const ringSize = random.next() < 0.03 ? 2 + random.nextInt(8) : 1;
    const velocity = Math.max(0, 3 + 2 * z3);
    const noFaultFound = random.next();
    const daysToReturn = 1 + random.nextInt(30);
    const weekend = random.next() < 2 / 7 ? 1 : 0;
    const hasHistory = random.next() >= 0.1;
    const logit =
      -4.7 +
      1.1 * z0 +
      0.5 * z1 +
      0.9 * notDeclaredCount +
      0.35 * claims +
      (ringSize > 3 ? 1.5 : 0) +
      (accountAgeDays < 60 ? 0.8 : 0) +
      0.6 * bracketing * (z1 > 0 ? 1 : 0) +
      0.8 * (noFaultFound > 0.8 ? 1 : 0) * (z0 > 0 ? 1 : 0) +
      0.15 * velocity;
    const label = random.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    labels[row] = label;
    positives += label;
    // A tenth of customers have no return history yet: their history features are missing.
    set(0, row, hasHistory ? returnRate : Number.NaN);
    set(1, row, hasHistory ? returnedValue : Number.NaN);
    set(2, row, accountAgeDays);
    set(3, row, notDeclaredCount);
    set(4, row, claims);
    set(5, row, bracketing);
    set(6, row, ringSize);
    set(7, row, velocity);
    set(8, row, hasHistory ? noFaultFound : Number.NaN);
    set(9, row, daysToReturn);
    set(10, row, weekend);
    set(11, row, returnRate + 0.3 * random.nextNormal()); // a noisy copy of an informative feature
    for (let feature = 12; feature < featureCount; feature++) {
      // Noise columns of mixed kinds: continuous, skewed and small integers.
      const kind = feature % 3;
      set(feature, row, kind === 0 ? random.nextNormal() : kind === 1 ? Math.exp(random.nextNormal()) : random.nextInt(5));
    }
  }
  return { features: { rowCount, featureCount, values }, labels, positiveRate: positives / rowCount };
}
