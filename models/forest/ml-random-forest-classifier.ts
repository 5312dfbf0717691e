import { RandomForestClassifier } from 'ml-random-forest';
import type { BinaryClassifier, FeatureMatrix, SerializedModel } from './binary-classifier.ts';
import { createFeatureMatrix } from './create-feature-matrix.ts';

/**
 * ml-random-forest 2.1.0 behind `BinaryClassifier`, kept as the parity reference for the histogram
 * forest (it is quadratic in rows: use it on a few thousand rows only). Known defects worked around:
 * - `predictProbability` drops the first tree's vote (`reduce` without an initial value): the
 *   probability here is the mean of the per-tree votes from `predictionValues`, counted by hand;
 * - ml-cart's default `gainThreshold` 0.01 is an absolute Gini gain, so with ~5% positives (root
 *   Gini ≈ 0.095) trees never split: the default here is 0, any positive gain splits, like
 *   scikit-learn's `min_impurity_decrease = 0`; tree size is bounded by `minNumSamples`/`maxDepth`
 *   (ml-cart also stops when a node's best gain equals its parent's exactly — left as is, rare);
 * - features are drawn with replacement per tree by default (duplicate columns): here without
 *   replacement, and all of them unless `maxFeatures` says otherwise (ml-random-forest cannot
 *   sample per split);
 * - ml-cart cannot order `NaN`: missing values are replaced by −Number.MAX_VALUE, so they sort
 *   below every real value and can be split off on their own.
 */
export interface TrainMlRandomForestOptions {
  readonly features: FeatureMatrix;
  /** One label per row, each 0 or 1. */
  readonly labels: ArrayLike<number>;
  /** Trees (`nEstimators`). Default 50. */
  readonly treeCount?: number;
  /** ml-cart `maxDepth`. Default Infinity. */
  readonly maxDepth?: number;
  /** ml-cart `minNumSamples`: a node with at most this many rows becomes a leaf. Default 3. */
  readonly minNumSamples?: number;
  /** ml-cart `gainThreshold` (absolute Gini gain a split must exceed). Default 0 — see above. */
  readonly gainThreshold?: number;
  /** Fraction in (0, 1] of the features each tree sees (drawn once per tree). Default 1. */
  readonly maxFeatures?: number;
  /** ml-random-forest seed (32-bit integer). Default 42. */
  readonly seed?: number;
}

export interface SerializedMlRandomForest extends SerializedModel {
  readonly kind: 'ml-random-forest';
  readonly formatVersion: 1;
  /** ml-random-forest's own `toJSON()` output. */
  readonly model: unknown;
}

/** ml-random-forest marks missing values with a number ml-cart can sort. */
const MISSING_VALUE = -Number.MAX_VALUE;

function toRows(matrix: FeatureMatrix): number[][] {
  const { rowCount, featureCount, values } = matrix;
  const rows: number[][] = [];
  for (let row = 0; row < rowCount; row++) {
    const cells = new Array<number>(featureCount);
    for (let feature = 0; feature < featureCount; feature++) {
      const value = values[feature * rowCount + row] as number;
      cells[feature] = Number.isNaN(value) ? MISSING_VALUE : value;
    }
    rows.push(cells);
  }
  return rows;
}

export class MlRandomForestClassifier implements BinaryClassifier {
  readonly featureCount: number;
  readonly #forest: RandomForestClassifier;

  constructor(forest: RandomForestClassifier, featureCount: number) {
    this.#forest = forest;
    this.featureCount = featureCount;
  }

  /** Fraction of trees voting class 1 (every tree counted, unlike the library's `predictProbability`). */
  predictProbability(rows: FeatureMatrix): Float64Array {
    const checked = createFeatureMatrix(rows);
    if (checked.featureCount !== this.featureCount) {
      throw new RangeError(`rows must have the model's ${this.featureCount} features, got ${checked.featureCount}`);
    }
    // predictionValues: one row per sample, one column per tree, each the tree's predicted class.
    const votes = this.#forest.predictionValues(toRows(checked));
    const probabilities = new Float64Array(checked.rowCount);
    const treeCount = votes.columns;
    for (let row = 0; row < checked.rowCount; row++) {
      let positiveVotes = 0;
      for (let tree = 0; tree < treeCount; tree++) if (votes.get(row, tree) === 1) positiveVotes++;
      probabilities[row] = positiveVotes / treeCount;
    }
    return probabilities;
  }

  toJSON(): SerializedMlRandomForest {
    return {
      kind: 'ml-random-forest',
      formatVersion: 1,
      featureCount: this.featureCount,
      // Round-trip through JSON text: the library's toJSON returns live tree objects, not plain data.
      model: JSON.parse(JSON.stringify(this.#forest.toJSON())) as unknown,
    };
  }

  static fromJSON(json: unknown): MlRandomForestClassifier {
    const model = json as Partial<SerializedMlRandomForest> | null;
    if (typeof model !== 'object' || model === null) throw new TypeError('an ml-random-forest model must be a JSON object');
    if (model.kind !== 'ml-random-forest') throw new TypeError(`kind must be 'ml-random-forest', got ${String(model.kind)}`);
    if (model.formatVersion !== 1) throw new RangeError(`formatVersion must be 1, got ${String(model.formatVersion)}`);
    const featureCount = model.featureCount;
    if (typeof featureCount !== 'number' || !Number.isInteger(featureCount) || featureCount < 1) {
      throw new RangeError(`featureCount must be a positive integer, got ${String(featureCount)}`);
    }
    const forest = RandomForestClassifier.load(model.model as Parameters<typeof RandomForestClassifier.load>[0]);
    return new MlRandomForestClassifier(forest, featureCount);
  }
}

/**
 * Trains ml-random-forest's RandomForestClassifier with the workarounds above.
 *
 * @example
 * const reference = trainMlRandomForestClassifier({ features, labels, treeCount: 30, seed: 42 });
 * reference.predictProbability(holdout); // share of trees voting 1
 */
export function trainMlRandomForestClassifier(options: TrainMlRandomForestOptions): MlRandomForestClassifier {
  const features = createFeatureMatrix(options.features);
  const treeCount = options.treeCount ?? 50;
  const maxFeatures = options.maxFeatures ?? 1;
  const seed = options.seed ?? 42;
  if (!Number.isInteger(treeCount) || treeCount < 1) throw new RangeError(`treeCount must be an integer ≥ 1, got ${treeCount}`);
  if (!(maxFeatures > 0 && maxFeatures <= 1)) throw new RangeError(`maxFeatures must be in (0, 1], got ${maxFeatures}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be a 32-bit integer, got ${seed}`);
  if (options.labels.length !== features.rowCount) {
    throw new RangeError(`labels.length must equal the ${features.rowCount} feature rows, got ${options.labels.length}`);
  }
  const labels: number[] = [];
  let positives = 0;
  for (let row = 0; row < features.rowCount; row++) {
    const label = options.labels[row];
    if (label !== 0 && label !== 1) throw new RangeError(`labels must be 0 or 1, got ${String(label)} at row ${row}`);
    labels.push(label);
    positives += label;
  }
  // ml-cart sizes a leaf's class distribution by the largest label it saw; one class only would
  // make every vote 0 and the "probability" meaningless.
  if (positives === 0 || positives === labels.length) throw new RangeError('labels must contain both 0 and 1');
  const forest = new RandomForestClassifier({
    nEstimators: treeCount,
    maxFeatures,
    replacement: false,
    seed,
    useSampleBagging: true,
    noOOB: true,
    treeOptions: {
      gainFunction: 'gini',
      splitFunction: 'mean',
      minNumSamples: options.minNumSamples ?? 3,
      maxDepth: options.maxDepth ?? Number.POSITIVE_INFINITY,
      gainThreshold: options.gainThreshold ?? 0,
    },
  });
  forest.train(toRows(features), labels);
  return new MlRandomForestClassifier(forest, features.featureCount);
}
