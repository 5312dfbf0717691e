import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FeatureMatrix } from '../../models/forest/binary-classifier.ts';
import type { TrainHistogramForestOptions } from '../../models/forest/histogram-forest.ts';
import { averagePrecision } from '../../models/metrics/average-precision.ts';
import { brierScore } from '../../models/metrics/brier-score.ts';
import { calibrationBins } from '../../models/metrics/calibration-bins.ts';
import { precisionAtFraction } from '../../models/metrics/precision-at-fraction.ts';
import { precisionAtK } from '../../models/metrics/precision-at-k.ts';
import { rocAuc } from '../../models/metrics/roc-auc.ts';
import { decidePromotion, type PromotionDecision } from '../../models/risk/decide-promotion.ts';
import { decideRetraining } from '../../models/risk/decide-retraining.ts';
import { decideTrainingLabels, DEFAULT_TRAINING_LABEL_POLICY, type TrainingLabelPolicy } from '../../models/risk/decide-training-labels.ts';
import { applyPlattCalibration, fitPlattCalibration, type PlattCalibration } from '../../models/risk/platt-calibration.ts';
import { RISK_FEATURE_NAMES } from '../../models/risk/risk-feature-names.ts';
import type { Config } from '../../config/load-config.ts';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { computeCustomerFeatures, DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from '../../store/risk/compute-customer-features.ts';
import { computeRings } from './compute-rings.ts';
import { comparedFiguresOf, decideAfterTraining, getServingModel, insertModel, listModels, readServingVersion, type ModelMetrics } from '../../store/risk/model-registry.ts';
import { readFeatureMatrix } from '../../store/risk/read-feature-matrix.ts';
import { appendLabelSnapshots, readFactTimeRange, resetLabelTargets } from '../../store/risk/training-labels.ts';
import { runRiskWorker } from './run-risk-worker.ts';

const DAY = 86_400_000;

export interface TrainRiskModelOptions {
  /** Train as of this time (default, and at the latest: the last order in the data). Nothing after it is used. */
  readonly now?: Date;
  /** Label horizon: a snapshot is positive if fraud evidence follows within this many days. Default 60. */
  readonly horizonDays?: number;
  /** Days between snapshot dates. Default 14. */
  readonly stepDays?: number;
  /** Length of the validation period (snapshot dates). Default 56. */
  readonly validationDays?: number;
  /** History a customer needs before the first training snapshot. Default 28. */
  readonly warmupDays?: number;
  /** Most training rows kept (all positives, negatives sampled). Default 100 000. */
  readonly maxTrainingRows?: number;
  readonly forest?: Omit<TrainHistogramForestOptions, 'features' | 'labels' | 'onTreeTrained'>;
  /** Promote when not worse than the serving model (default true); false = register as candidate only. */
  readonly promote?: boolean;
  /**
   * Windows of the features (default DEFAULT_FEATURE_OPTIONS, i.e. a 30-day return window). Pass the
   * configured ones (`featureOptionsOf(config)`), as the risk job scores with them: a model trained on
   * "late" = day 20 and served "late" = day 40 reads features it never saw. Recorded in the model's params.
   */
  readonly featureOptions?: FeatureOptions;
  /**
   * Fewest positive rows in each period (default DEFAULT_TRAINING_LABEL_POLICY); fewer stops training
   * with RETOUR_MODEL_NOT_ENOUGH_DATA before a model exists. Pass the configured one (`trainingLabelPolicyOf(config)`).
   */
  readonly labelPolicy?: TrainingLabelPolicy;
  /** Count strong inspection and payment evidence as positive labels too (default false; see appendLabelSnapshots). */
  readonly evidenceLabels?: boolean;
  /** Train even when a registered model was trained on the same rows and settings (decideRetraining); default false. */
  readonly trainOnUnchangedData?: boolean;
  /** Who trained, as the promotion history records it (default 'retour model train'; 'cli:USER', 'train job'). */
  readonly decidedBy?: string;
  readonly signal?: AbortSignal;
  readonly log?: (message: string) => void;
}

/**
 * Nothing trained: a registered model was trained and validated on the same rows and settings and
 * already judged against the model in service (decideRetraining); nothing was registered or promoted.
 */
export interface UnchangedTrainingResult {
  readonly unchanged: true;
  /** The registered model trained on the same data. */
  readonly sameAs: string;
  readonly reason: string;
}

export interface TrainRiskModelResult {
  readonly version: string;
  readonly metrics: ModelMetrics;
  readonly promotion: PromotionDecision;
  readonly calibration: PlattCalibration;
  readonly trainingSeconds: number;
  readonly totalSeconds: number;
}

/** Forest settings chosen on development seeds (see docs/risk.md). */
export const DEFAULT_RISK_FOREST: NonNullable<TrainRiskModelOptions['forest']> = Object.freeze({
  treeCount: 100,
  maxDepth: 12,
  minSamplesLeaf: 20,
  featureFraction: 'sqrt',
  sampleFraction: 0.5,
  classWeight: 'balanced',
  seed: 1,
});

/** The configured label minimums (RETOUR_TRAIN_MIN_TRAINING_POSITIVES, RETOUR_TRAIN_MIN_VALIDATION_POSITIVES). */
export function trainingLabelPolicyOf(config: Pick<Config, 'trainMinTrainingPositives' | 'trainMinValidationPositives'>): TrainingLabelPolicy {
  return { minTrainingPositives: config.trainMinTrainingPositives, minValidationPositives: config.trainMinValidationPositives };
}

/** Validation figures of one model's raw scores (ranking metrics do not change under calibration). */
function rankingMetrics(scores: Float64Array, labels: Uint8Array): { rocAuc: number; prAuc: number; top1: number; top100: number } {
  return {
    rocAuc: rocAuc(scores, labels),
    prAuc: averagePrecision(scores, labels),
    top1: precisionAtFraction(scores, labels, 0.01),
    top100: precisionAtK(scores, labels, Math.min(100, labels.length)),
  };
}

async function readLabels(connection: DuckDBConnection, split: string): Promise<Uint8Array> {
  const matrix = await readFeatureMatrix(connection, 'SELECT label::DOUBLE FROM risk_feature_rows JOIN risk_targets USING (target_id) WHERE split = $split ORDER BY target_id', ['label'], { split });
  return Uint8Array.from(matrix.values);
}

/**
 * What a model's training depends on, as one digest: its settings and every value of the training and
 * validation rows and labels (the forest is seeded, so the same rows train the same forest). Recorded
 * as `params.trainingData`. A change of the training code alone is not in it.
 */
function fingerprintTrainingData(settings: unknown, arrays: readonly (Float64Array | Uint8Array)[]): string {
  const hash = createHash('sha256').update(JSON.stringify(settings));
  for (const array of arrays) {
    // Features as float32: DuckDB's parallel averages differ in the last bits between two runs on the
    // same data (mean_days_to_return_365d 6.594774305555555, then …556), which made every digest new.
    const values = array instanceof Float64Array ? Float32Array.from(array) : array;
    hash.update(String(values.length));
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return `sha256:${hash.digest('hex')}`;
}

function readMatrix(connection: DuckDBConnection, split: string, features: readonly string[]): Promise<FeatureMatrix> {
  return readFeatureMatrix(
    connection,
    `SELECT ${features.map((name) => `f.${name}`).join(', ')} FROM risk_feature_rows f JOIN risk_targets USING (target_id) WHERE split = $split ORDER BY target_id`,
    features,
    { split },
  );
}

/**
 * Trains a fraud model with a time split and records it in the model registry:
 * 1. labelled snapshots (customer × date, label = fraud evidence in the next `horizonDays`) for a
 *    training period and the *following* validation period; training labels end before the first
 *    validation snapshot, so no training row has seen the validation period;
 * 2. point-in-time features as of each snapshot (DuckDB);
 * 3. a histogram random forest trained in a worker thread;
 * 4. ROC-AUC, PR-AUC, precision@1% and @100, Brier score and calibration bins on the validation rows,
 *    and a Platt calibration fitted there;
 * 5. the serving model scored on the *same* validation rows; the candidate is promoted only if it
 *    is not worse (decidePromotion).
 * Between 2 and 3: when a registered model was trained on the same rows and settings and already
 * judged against the model in service (decideRetraining), nothing is trained, registered or promoted
 * (an UnchangedTrainingResult says which model and why).
 */
export async function trainRiskModel(connection: DuckDBConnection, options: TrainRiskModelOptions = {}): Promise<TrainRiskModelResult | UnchangedTrainingResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const range = await readFactTimeRange(connection);
  if (range === undefined) throw new RetourError('RETOUR_MODEL_NOT_ENOUGH_DATA', 'no orders stored yet: nothing to train on');
  const asked = options.now ?? range.last;
  const day = (time: Date): string => time.toISOString().slice(0, 10);
  if (asked.getTime() < range.first.getTime()) {
    throw new RetourError('RETOUR_MODEL_NOT_ENOUGH_DATA', `no orders stored before ${asked.toISOString()} (the first is on ${day(range.first)}): nothing to train on`);
  }
  // Never after the last stored order, as the train job: the label horizons of a later "now" run past
  // the data, where fraud not stored yet reads as negative (as of 2030 on 2025 data: no validation row).
  const now = asked.getTime() > range.last.getTime() ? range.last : asked;
  if (now !== asked) log(`training as of the last stored order, ${now.toISOString()}: what follows it (up to ${asked.toISOString()}) is not known yet`);
  const horizon = options.horizonDays ?? 60;
  const step = options.stepDays ?? 14;
  const validationDays = options.validationDays ?? 56;
  const warmup = options.warmupDays ?? 28;
  const lastValidation = new Date(now.getTime() - horizon * DAY);
  const firstValidation = new Date(lastValidation.getTime() - validationDays * DAY);
  const lastTraining = new Date(firstValidation.getTime() - horizon * DAY);
  const firstTraining = new Date(range.first.getTime() + warmup * DAY);
  if (lastTraining.getTime() < firstTraining.getTime()) {
    throw new RetourError(
      'RETOUR_MODEL_NOT_ENOUGH_DATA',
      `not enough history to train with a time split: need ${warmup + 2 * horizon + validationDays} days of orders, have ${Math.floor((now.getTime() - range.first.getTime()) / DAY)}`,
    );
  }
  log(`rings and labelled snapshots: training ${day(firstTraining)}…${day(lastTraining)}, validation ${day(firstValidation)}…${day(lastValidation)}`);
  await computeRings(connection, { asOf: now });
  await resetLabelTargets(connection);
  const featureOptions = options.featureOptions ?? DEFAULT_FEATURE_OPTIONS;
  const labelEvidence = {
    evidenceLabels: options.evidenceLabels ?? false,
    lateReturnDays: featureOptions.lateReturnDays,
    lateReturnDaysByCategory: featureOptions.lateReturnDaysByCategory ?? {},
    noReceiptDays: featureOptions.noReceiptDays,
  };
  const training = await appendLabelSnapshots(connection, {
    firstSnapshot: firstTraining, lastSnapshot: lastTraining, stepDays: step, horizonDays: horizon, split: 'train', maxRows: options.maxTrainingRows ?? 100_000, ...labelEvidence,
  });
  const validation = await appendLabelSnapshots(connection, {
    firstSnapshot: firstValidation, lastSnapshot: lastValidation, stepDays: step, horizonDays: horizon, split: 'validation', ...labelEvidence,
  });
  // Before any forest: a model learnt from a handful of positives, or measured on one, is no model
  // (one training positive gave scores ≤ 0.03 and was promoted when none was in service).
  const labels = decideTrainingLabels({ training, validation }, options.labelPolicy ?? DEFAULT_TRAINING_LABEL_POLICY);
  if (!labels.enough) {
    await connection.run('DROP TABLE IF EXISTS risk_targets');
    throw new RetourError('RETOUR_MODEL_NOT_ENOUGH_DATA', labels.reason);
  }
  log(`features for ${training.rows + validation.rows} labelled rows (${training.positives} + ${validation.positives} positive)`);
  await computeCustomerFeatures(connection, featureOptions);
  const features = [...RISK_FEATURE_NAMES];
  const trainMatrix = await readMatrix(connection, 'train', features);
  const trainLabels = await readLabels(connection, 'train');
  const validationMatrix = await readMatrix(connection, 'validation', features);
  const validationLabels = await readLabels(connection, 'validation');

  const forestOptions = options.forest ?? DEFAULT_RISK_FOREST;
  const windows = { firstTraining, lastTraining, firstValidation, lastValidation };
  const trainingData = fingerprintTrainingData(
    { features, forestOptions, horizon, step, validationDays, featureOptions, evidenceLabels: labelEvidence.evidenceLabels, windows },
    [trainMatrix.values, trainLabels, validationMatrix.values, validationLabels],
  );
  // Before the forest: the same rows would train an identical copy, promoted on equal metrics.
  const retraining = decideRetraining(
    trainingData,
    await readServingVersion(connection),
    (await listModels(connection)).map((model) => ({
      version: model.version,
      createdAt: model.createdAt,
      trainingData: typeof model.params['trainingData'] === 'string' ? model.params['trainingData'] : undefined,
      comparedWith: model.metrics.serving_comparison?.version,
      promotion: model.metrics.promotion,
    })),
  );
  if (!retraining.train && options.trainOnUnchangedData !== true) {
    await connection.run('DROP TABLE IF EXISTS risk_targets');
    await connection.run('DROP TABLE IF EXISTS risk_feature_rows');
    return { unchanged: true, sameAs: retraining.sameAs, reason: retraining.reason };
  }
  log(`training the forest on ${trainMatrix.rowCount} rows × ${trainMatrix.featureCount} features (worker thread)`);
  const trainingStarted = performance.now();
  const trained = await runRiskWorker({ task: 'train', matrix: trainMatrix, labels: trainLabels, options: forestOptions }, options.signal);
  const trainingSeconds = (performance.now() - trainingStarted) / 1000;
  const scored = await runRiskWorker({ task: 'score', model: trained.model, matrix: validationMatrix }, options.signal);
  const candidate = rankingMetrics(scored.probabilities, validationLabels);
  const calibration = fitPlattCalibration(scored.probabilities, validationLabels);
  const calibrated = scored.probabilities.map((score) => applyPlattCalibration(score, calibration));

  const serving = await getServingModel(connection);
  let servingComparison: ModelMetrics['serving_comparison'];
  if (serving !== undefined) {
    const servingMatrix = serving.features.join(',') === features.join(',') ? validationMatrix : await readMatrix(connection, 'validation', serving.features);
    const servingScores = await runRiskWorker({ task: 'score', model: serving.model, matrix: servingMatrix }, options.signal);
    const servingMetrics = rankingMetrics(servingScores.probabilities, validationLabels);
    servingComparison = { version: serving.version, roc_auc: servingMetrics.rocAuc, pr_auc: servingMetrics.prAuc };
  }
  const promotion = decidePromotion(
    { prAuc: candidate.prAuc, rocAuc: candidate.rocAuc },
    servingComparison === undefined ? undefined : { prAuc: servingComparison.pr_auc, rocAuc: servingComparison.roc_auc },
  );
  const metrics: ModelMetrics = {
    roc_auc: candidate.rocAuc,
    pr_auc: candidate.prAuc,
    precision_at_k: { top_1_percent: candidate.top1, top_100: candidate.top100 },
    brier: brierScore(calibrated, validationLabels),
    calibration: calibrationBins(calibrated, validationLabels, { binCount: 10, strategy: 'quantile' }).map(({ lower, upper, count, meanPredicted, observedRate }) => ({ lower, upper, count, meanPredicted, observedRate })),
    rows: { training: training.rows, training_positive: training.positives, validation: validation.rows, validation_positive: validation.positives },
    ...(servingComparison === undefined ? {} : { serving_comparison: servingComparison }),
  };
  const createdAt = new Date();
  const version = `rf-${createdAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const importance = trained.model.featureImportance;
  const topFeatures = features
    .map((name, index) => ({ name, importance: importance[index] ?? 0 }))
    .sort((a, b) => b.importance - a.importance)
    .slice(0, 3)
    .map((entry) => entry.name);
  await insertModel(connection, {
    version,
    createdAt: createdAt.toISOString(),
    algorithm: trained.model.kind,
    features,
    params: { trainingData, forest: trained.model.settings, calibration, topFeatures, horizonDays: horizon, stepDays: step, validationDays, featureOptions, labels: labelEvidence.evidenceLabels
      ? 'fraud/abuse verdicts, X_not_declared_item inspections and strong evidence (worn items returned late, not-received claims after delivery, refunds without receipt, ≥ 2 no-fault defect claims) within the horizon; legitimate verdicts override'
      : 'fraud/abuse verdicts and X_not_declared_item inspections within the horizon; legitimate verdicts override' },
    trainingWindowStart: firstTraining.toISOString(),
    trainingWindowEnd: lastTraining.toISOString(),
    validationWindowStart: firstValidation.toISOString(),
    validationWindowEnd: lastValidation.toISOString(),
    metrics,
    model: trained.model,
  });
  const decision = options.promote === false && promotion.promote ? { promote: false, reason: `${promotion.reason}; kept as candidate (promotion not requested)` } : promotion;
  await decideAfterTraining(connection, {
    version,
    decidedAt: createdAt,
    promoted: decision.promote,
    forced: false,
    source: 'training',
    decidedBy: options.decidedBy ?? 'retour model train',
    reason: decision.reason,
    previousVersion: serving?.version ?? null,
    compared: comparedFiguresOf({ metrics }),
  });
  await connection.run('DROP TABLE IF EXISTS risk_targets');
  await connection.run('DROP TABLE IF EXISTS risk_feature_rows');
  return { version, metrics: { ...metrics, promotion: decision }, promotion: decision, calibration, trainingSeconds, totalSeconds: (performance.now() - started) / 1000 };
}
