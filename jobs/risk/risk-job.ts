import type { FeatureMatrix } from '../../models/forest/binary-classifier.ts';
import { applyPlattCalibration, type PlattCalibration } from '../../models/risk/platt-calibration.ts';
import { RISK_FEATURE_NAMES, type RiskFeatureName, type RiskFeatureValues } from '../../models/risk/risk-feature-names.ts';
import { scoreCustomerRisk, type ModelOutcome } from '../../models/risk/score-customer-risk.ts';
import { tierThresholdsOf, type RiskTierThresholds } from '../../models/risk/risk-tier.ts';
import { computeCustomerFeatures, createSnapshotTargets, featureOptionsOf } from '../../store/risk/compute-customer-features.ts';
import { writeRingAggregates } from '../../store/risk/customer-rings.ts';
import { computeRings, RING_TABLES_LOCK } from './compute-rings.ts';
import { CustomerScoreWriter } from '../../store/risk/customer-scores.ts';
import { getServingModel } from '../../store/risk/model-registry.ts';
import { readFeatureMatrix } from '../../store/risk/read-feature-matrix.ts';
import { applyRecordedDecisions, listUnpublishedFlags, markFlagsPublished } from '../../store/risk/risk-flags.ts';
import { updateRiskFlags } from './update-risk-flags.ts';
import type { Job, JobContext, JobResult } from '../job.ts';
import { scoreInWorkers } from './score-in-workers.ts';

/** Scores the latest features of every customer; exported for the benchmark and tests. */
export async function scoreAllCustomers(context: Pick<JobContext, 'connection' | 'now' | 'signal' | 'logger'>, thresholds: RiskTierThresholds): Promise<{ scored: number; unscored: number; modelVersion: string | null; modelError: string | null; written: number; timings: Record<string, number> }> {
  const { connection } = context;
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    timings[name] = Math.round(performance.now() - t);
    t = performance.now();
  };
  const matrix = await readFeatureMatrix(connection, `SELECT ${RISK_FEATURE_NAMES.join(', ')} FROM risk_feature_rows ORDER BY target_id`, RISK_FEATURE_NAMES);
  lap('readMs');
  const serving = await getServingModel(connection).catch((error: unknown) => ({ loadError: error instanceof Error ? error.message : String(error) }));
  let probabilities: Float64Array | undefined;
  let modelError: string | null = null;
  let modelVersion: string | null = null;
  let calibration: PlattCalibration = { slope: 1, intercept: 0 };
  let topFeatures: RiskFeatureName[] = [];
  if (serving !== undefined && 'loadError' in serving) {
    modelError = `cannot load the serving model: ${serving.loadError}`;
  } else if (serving !== undefined) {
    modelVersion = serving.version;
    calibration = (serving.params['calibration'] as PlattCalibration | undefined) ?? calibration;
    topFeatures = ((serving.params['topFeatures'] as string[] | undefined) ?? []).filter((name): name is RiskFeatureName => (RISK_FEATURE_NAMES as readonly string[]).includes(name));
    try {
      const modelMatrix = selectColumns(matrix, serving.features);
      probabilities = await scoreInWorkers(serving.model, modelMatrix, { signal: context.signal });
      if (probabilities.length !== matrix.rowCount) throw new Error(`the worker returned ${probabilities.length} scores for ${matrix.rowCount} customers`);
    } catch (error: unknown) {
      modelError = error instanceof Error ? error.message : String(error);
      context.logger.error({ err: error, modelVersion }, 'risk model failed to score: every customer is unscored this run');
    }
  }
  lap('modelMs');
  const writer = await CustomerScoreWriter.open(connection);
  const features = {} as RiskFeatureValues;
  let scored = 0;
  let unscored = 0;
  for (let row = 0; row < matrix.rowCount; row++) {
    for (let f = 0; f < RISK_FEATURE_NAMES.length; f++) features[RISK_FEATURE_NAMES[f]!] = matrix.values[f * matrix.rowCount + row]!;
    let outcome: ModelOutcome;
    if (serving === undefined) outcome = { kind: 'no-model' };
    else if (probabilities === undefined) outcome = { kind: 'failed', error: modelError ?? 'model unavailable', version: modelVersion };
    else outcome = { kind: 'scored', probability: applyPlattCalibration(probabilities[row]!, calibration), version: modelVersion!, topFeatures };
    const score = scoreCustomerRisk(features, outcome, thresholds);
    if (score.status === 'scored') scored++;
    else unscored++;
    writer.append(row, score);
  }
  lap('rulesMs');
  const written = await writer.commit(context.now);
  lap('writeMs');
  return { scored, unscored, modelVersion, modelError, written, timings };
}

function selectColumns(matrix: FeatureMatrix, names: readonly string[]): FeatureMatrix {
  if (names.join(',') === RISK_FEATURE_NAMES.join(',')) return matrix;
  const values = new Float64Array(matrix.rowCount * names.length);
  names.forEach((name, index) => {
    const source = (RISK_FEATURE_NAMES as readonly string[]).indexOf(name);
    if (source === -1) throw new Error(`the serving model needs feature ${name}, which this version does not compute`);
    values.set(matrix.values.subarray(source * matrix.rowCount, (source + 1) * matrix.rowCount), index * matrix.rowCount);
  });
  return { rowCount: matrix.rowCount, featureCount: names.length, values };
}

/**
 * `retour jobs run risk`: rings, point-in-time features as of now, scores for every customer with
 * activity (model in a worker thread, rules, calibrated combination, tiers, reasons), the flag
 * lifecycle, and new flags published to RETOUR_TOPIC_FLAGS when Kafka is configured.
 */
export const riskJob: Job = {
  name: 'risk',
  summary: 'customer features, rings, fraud scores and risk flags',
  lock: RING_TABLES_LOCK,
  async run(context: JobContext): Promise<JobResult> {
    const { connection, now, config } = context;
    const started = performance.now();
    const timings: Record<string, number> = {};
    const lap = (name: string, from: number): number => {
      timings[name] = Math.round(performance.now() - from);
      return performance.now();
    };
    let t = performance.now();
    const rings = await computeRings(connection, { asOf: now });
    t = lap('ringsMs', t);
    const customers = await createSnapshotTargets(connection, now);
    const { receiptsReported } = await computeCustomerFeatures(connection, featureOptionsOf(config), { asOf: now });
    t = lap('featuresMs', t);
    if (context.signal.aborted) throw new Error('risk job aborted after features');
    const thresholds = tierThresholdsOf(config);
    const scores = await scoreAllCustomers(context, thresholds);
    t = lap('scoresMs', t);
    const ringCount = await writeRingAggregates(connection, now);
    const decided = await applyRecordedDecisions(connection);
    const flags = await updateRiskFlags(connection, now);
    t = lap('flagsMs', t);
    let published = 0;
    if (context.publish !== undefined) {
      const pending = await listUnpublishedFlags(connection);
      if (pending.length > 0) {
        try {
          await context.publish(
            config.topicFlags,
            pending.map((flag) => ({ key: flag.customerId, value: JSON.stringify({ type: 'risk.flag.opened', ...flag }) })),
          );
          await markFlagsPublished(connection, pending.map((flag) => flag.flagId), now);
          published = pending.length;
        } catch (error: unknown) {
          // Left unpublished: the next run retries them.
          context.logger.warn({ err: error, flags: pending.length }, 'publishing new risk flags failed; retrying next run');
        }
      }
    }
    await connection.run('DROP TABLE IF EXISTS risk_feature_rows');
    await connection.run('DROP TABLE IF EXISTS risk_targets');
    lap('publishMs', t);
    return {
      rowsWritten: scores.written,
      details: {
        customers, receiptsReported, scored: scores.scored, unscored: scores.unscored, modelVersion: scores.modelVersion, modelError: scores.modelError,
        rings: { ...rings, written: ringCount }, flags: { ...flags, closedByDecisions: decided.closed.length, redecidedByDecisions: decided.redecided, published }, timings: { ...timings, scoring: scores.timings }, totalMs: Math.round(performance.now() - started),
      },
    };
  },
};
