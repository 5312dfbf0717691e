/**
 * Random-forest benchmark for the fraud model: training time of the histogram forest against rows
 * (default 10k/25k/50k/100k × 30 features, 100 trees), prediction throughput, held-out ROC-AUC,
 * model size, the quality cost of per-tree row subsampling, and — in the same run, on the same
 * small data — ml-random-forest 2.1.0 for the speed ratio. Target: 100k × 30 trained in ≤ 60 s.
 *
 * Options (all `--name=value`): --rows=10000,25000,50000,100000 --features=30 --trees=100
 * --max-depth=12 --min-samples-leaf=20 --test-rows=20000 --ml-rows=2000 --ml-trees=10
 * --subsample=0.5 (0 to skip the subsampling variant) --seed=1.
 *
 * The machine is shared: the load average is recorded before and after, read the numbers with it.
 */
import { loadavg } from 'node:os';
import { createFeatureMatrix } from '../../models/forest/create-feature-matrix.ts';
import type { BinaryClassifier, FeatureMatrix } from '../../models/forest/binary-classifier.ts';
import { trainHistogramForest } from '../../models/forest/histogram-forest.ts';
import type { HistogramForest, TrainHistogramForestOptions } from '../../models/forest/histogram-forest.ts';
import { trainMlRandomForestClassifier } from '../../models/forest/ml-random-forest-classifier.ts';
import { rocAuc } from '../../models/metrics/roc-auc.ts';
import { generateForestBenchDataset } from './forest-bench-dataset.ts';

interface ForestBenchSettings {
  rows: number[];
  features: number;
  trees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  testRows: number;
  mlRows: number;
  mlTrees: number;
  subsample: number;
  seed: number;
}

const DEFAULTS: ForestBenchSettings = {
  rows: [10_000, 25_000, 50_000, 100_000],
  features: 30,
  trees: 100,
  maxDepth: 12,
  minSamplesLeaf: 20,
  testRows: 20_000,
  mlRows: 2000,
  mlTrees: 10,
  subsample: 0.5,
  seed: 1,
};

function parseArgs(args: string[]): ForestBenchSettings {
  const settings = { ...DEFAULTS };
  for (const arg of args) {
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    if (match === null) continue; // other benchmarks' arguments (e.g. the `risk` selector) pass through
    const [, name, raw] = match as unknown as [string, string, string];
    const number = Number(raw);
    switch (name) {
      case 'rows':
        settings.rows = raw.split(',').map(Number);
        if (settings.rows.some((rows) => !Number.isInteger(rows) || rows < 100)) throw new RangeError(`--rows must be integers ≥ 100, got ${raw}`);
        break;
      case 'features': settings.features = number; break;
      case 'trees': settings.trees = number; break;
      case 'max-depth': settings.maxDepth = number; break;
      case 'min-samples-leaf': settings.minSamplesLeaf = number; break;
      case 'test-rows': settings.testRows = number; break;
      case 'ml-rows': settings.mlRows = number; break;
      case 'ml-trees': settings.mlTrees = number; break;
      case 'subsample': settings.subsample = number; break;
      case 'seed': settings.seed = number; break;
      default: throw new RangeError(`unknown option --${name}`);
    }
    if (name !== 'rows' && !Number.isFinite(number)) throw new RangeError(`--${name} must be a number, got ${raw}`);
  }
  return settings;
}

/** The first `rowCount` rows of a column-major matrix. */
function firstRows(matrix: FeatureMatrix, rowCount: number): FeatureMatrix {
  const values = new Float64Array(rowCount * matrix.featureCount);
  for (let f = 0; f < matrix.featureCount; f++) {
    values.set(matrix.values.subarray(f * matrix.rowCount, f * matrix.rowCount + rowCount), f * rowCount);
  }
  return createFeatureMatrix({ rowCount, featureCount: matrix.featureCount, values });
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 10) / 100;
}

function load(): string {
  return loadavg().map((value) => value.toFixed(2)).join(' ');
}

/** Best of three timed batch predictions (after a warm-up), and the mean latency of one-row calls. */
function measurePrediction(model: BinaryClassifier, test: FeatureMatrix): { rowsPerSecond: number; singleRowMicroseconds: number } {
  model.predictProbability(test);
  let best = Number.POSITIVE_INFINITY;
  for (let repeat = 0; repeat < 3; repeat++) {
    const start = performance.now();
    model.predictProbability(test);
    best = Math.min(best, performance.now() - start);
  }
  const one = firstRows(test, 1);
  const calls = 2000;
  const start = performance.now();
  for (let call = 0; call < calls; call++) model.predictProbability(one);
  return {
    rowsPerSecond: Math.round(test.rowCount / (best / 1000)),
    singleRowMicroseconds: Math.round(((performance.now() - start) * 1000) / calls),
  };
}

function modelMegabytes(model: HistogramForest): number {
  return Math.round(JSON.stringify(model.toJSON()).length / 10_000) / 100;
}

/**
 * Runs the benchmark, printing one line per measurement, and returns every figure.
 *
 * @example
 * const result = await runForestBench(['--rows=10000,100000']);
 * result.meetsTarget; // true when 100k rows trained in ≤ 60 s
 */
export async function runForestBench(args: string[]): Promise<Record<string, unknown>> {
  const settings = parseArgs(args);
  const loadBefore = load();
  console.log(`forest bench: ${settings.features} features, ${settings.trees} trees, maxDepth ${settings.maxDepth}, minSamplesLeaf ${settings.minSamplesLeaf}; load average ${loadBefore}`);
  const largest = Math.max(...settings.rows, settings.mlRows);
  const all = generateForestBenchDataset({ rowCount: largest, featureCount: settings.features, seed: settings.seed });
  const test = generateForestBenchDataset({ rowCount: settings.testRows, featureCount: settings.features, seed: settings.seed + 1000 });
  console.log(`data: ${largest} training rows (${(all.positiveRate * 100).toFixed(1)}% positive, ~10% missing history), ${settings.testRows} held-out rows`);
  const base: Omit<TrainHistogramForestOptions, 'features' | 'labels'> = {
    treeCount: settings.trees,
    maxDepth: settings.maxDepth,
    minSamplesLeaf: settings.minSamplesLeaf,
    seed: settings.seed,
  };

  // Warm-up so the first timed size does not also pay for JIT compilation.
  trainHistogramForest({ ...base, treeCount: 5, features: firstRows(all.features, Math.min(largest, 5000)), labels: all.labels.subarray(0, Math.min(largest, 5000)) });

  const scaling: Record<string, unknown>[] = [];
  let largestModel: HistogramForest | undefined;
  let largestAuc = Number.NaN;
  let largestSeconds = Number.NaN;
  for (const rows of [...settings.rows].sort((a, b) => a - b)) {
    const features = firstRows(all.features, rows);
    const labels = all.labels.subarray(0, rows);
    const start = performance.now();
    const model = trainHistogramForest({ ...base, features, labels });
    const trainSeconds = seconds(start);
    const auc = rocAuc(model.predictProbability(test.features), test.labels);
    let nodes = 0;
    for (const tree of model.trees) nodes += tree.feature.length;
    const entry = { rows, trainSeconds, heldOutRocAuc: Math.round(auc * 10_000) / 10_000, nodesPerTree: Math.round(nodes / model.trees.length), load: load() };
    scaling.push(entry);
    console.log(`histogram forest ${rows} rows: trained in ${trainSeconds} s, held-out ROC-AUC ${entry.heldOutRocAuc}, ${entry.nodesPerTree} nodes/tree (load ${entry.load})`);
    largestModel = model;
    largestAuc = auc;
    largestSeconds = trainSeconds;
  }
  if (largestModel === undefined) throw new RangeError('--rows must name at least one row count');
  const prediction = measurePrediction(largestModel, test.features);
  const megabytes = modelMegabytes(largestModel);
  console.log(`prediction: ${prediction.rowsPerSecond} rows/s in batches of ${settings.testRows}, ${prediction.singleRowMicroseconds} µs for a one-row call; model JSON ${megabytes} MB`);

  let subsampling: Record<string, unknown> | undefined;
  const largestRows = Math.max(...settings.rows);
  if (settings.subsample > 0 && settings.subsample < 1) {
    const start = performance.now();
    const model = trainHistogramForest({
      ...base,
      features: firstRows(all.features, largestRows),
      labels: all.labels.subarray(0, largestRows),
      sampleFraction: settings.subsample,
    });
    const trainSeconds = seconds(start);
    const auc = rocAuc(model.predictProbability(test.features), test.labels);
    const rocAucChange = Math.round((auc - largestAuc) * 10_000) / 10_000;
    subsampling = {
      rows: largestRows,
      sampleFraction: settings.subsample,
      trainSeconds,
      heldOutRocAuc: Math.round(auc * 10_000) / 10_000,
      rocAucChange,
    };
    console.log(`subsampling ${settings.subsample} of ${largestRows} rows per tree: ${trainSeconds} s, held-out ROC-AUC ${subsampling.heldOutRocAuc} (${rocAucChange >= 0 ? '+' : ''}${rocAucChange} vs full bootstrap)`);
  }

  // ml-random-forest on small data, same rows and tree count, for the speed ratio.
  const smallFeatures = firstRows(all.features, settings.mlRows);
  const smallLabels = all.labels.subarray(0, settings.mlRows);
  let start = performance.now();
  const ml = trainMlRandomForestClassifier({ features: smallFeatures, labels: smallLabels, treeCount: settings.mlTrees, seed: settings.seed });
  const mlSeconds = seconds(start);
  const mlAuc = rocAuc(ml.predictProbability(test.features), test.labels);
  // The histogram forest with ml-random-forest's settings (all features, grown to tiny leaves) and with its own defaults.
  start = performance.now();
  const matched = trainHistogramForest({
    features: smallFeatures,
    labels: smallLabels,
    treeCount: settings.mlTrees,
    featureFraction: 1,
    maxDepth: Number.POSITIVE_INFINITY,
    minSamplesLeaf: 1,
    seed: settings.seed,
  });
  const matchedSeconds = (performance.now() - start) / 1000;
  const matchedAuc = rocAuc(matched.predictProbability(test.features), test.labels);
  const defaultsSmall = trainHistogramForest({ ...base, treeCount: settings.mlTrees, features: smallFeatures, labels: smallLabels });
  const defaultsSmallAuc = rocAuc(defaultsSmall.predictProbability(test.features), test.labels);
  const speedRatio = Math.round(mlSeconds / matchedSeconds);
  console.log(
    `ml-random-forest ${settings.mlRows} rows × ${settings.mlTrees} trees: ${mlSeconds} s, ROC-AUC ${mlAuc.toFixed(4)}; ` +
      `histogram forest, same settings: ${matchedSeconds.toFixed(3)} s (${speedRatio}× faster), ROC-AUC ${matchedAuc.toFixed(4)}; ` +
      `its defaults: ROC-AUC ${defaultsSmallAuc.toFixed(4)}`,
  );

  const loadAfter = load();
  const meetsTarget = largestRows >= 100_000 && largestSeconds <= 60;
  console.log(`target 100k × 30 in ≤ 60 s: ${meetsTarget ? 'met' : 'not met'} (${largestSeconds} s); load average ${loadAfter}`);
  return {
    benchmark: 'forest',
    settings,
    positiveRate: Math.round(all.positiveRate * 10_000) / 10_000,
    scaling,
    prediction: { ...prediction, rows: settings.testRows, modelJsonMegabytes: megabytes },
    ...(subsampling === undefined ? {} : { subsampling }),
    mlRandomForest: {
      rows: settings.mlRows,
      trees: settings.mlTrees,
      trainSeconds: mlSeconds,
      heldOutRocAuc: Math.round(mlAuc * 10_000) / 10_000,
      histogramSameSettingsSeconds: Math.round(matchedSeconds * 1000) / 1000,
      histogramSameSettingsRocAuc: Math.round(matchedAuc * 10_000) / 10_000,
      histogramDefaultsRocAuc: Math.round(defaultsSmallAuc * 10_000) / 10_000,
      speedRatio,
    },
    meetsTarget,
    loadAverage: { before: loadBefore, after: loadAfter },
  };
}
