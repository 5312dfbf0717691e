import { isRetourError } from '../../domain/errors/retour-error.ts';
import { featureOptionsOf } from '../../store/risk/compute-customer-features.ts';
import { readFactTimeRange } from '../../store/risk/training-labels.ts';
import type { Job, JobContext, JobResult, JobRunOptions } from '../job.ts';
import type { JobScheduler } from '../job-scheduler.ts';
import { RING_TABLES_LOCK } from './compute-rings.ts';
import { trainingLabelPolicyOf, trainRiskModel, type TrainRiskModelOptions } from './train-risk-model.ts';

/** What a train run records in job_runs.details. */
export interface TrainJobDetails {
  readonly version: string;
  readonly promoted: boolean;
  readonly reason: string;
  readonly asOf: string;
  readonly rocAuc: number;
  readonly prAuc: number;
  readonly rows: { readonly training: number; readonly validation: number };
  readonly trainingSeconds: number;
}

/**
 * The train job: `retour model train` inside `retour serve`, on the scheduler's cadence
 * (RETOUR_TRAIN_EVERY) or when an admin asks (POST /v1/models/train). It trains as of the last stored
 * order, never after the run's own time, with the policy's feature windows (as the risk job scores),
 * and promotes the model only if it is not worse than the one in service on the same validation rows
 * — unless the run was asked not to (`runOptions.promote: false`, POST /v1/models/train): then it is a candidate.
 * Too little history, or fewer positive rows than RETOUR_TRAIN_MIN_TRAINING_POSITIVES /
 * RETOUR_TRAIN_MIN_VALIDATION_POSITIVES, is a skipped run with the reason (the counts), not a failure;
 * so is data unchanged since a model already judged against the one in service ("no new labels or data since …").
 */
export function createTrainJob(options: Pick<TrainRiskModelOptions, 'forest' | 'maxTrainingRows'> = {}): Job {
  return {
    name: 'train',
    summary: 'fraud model training (time split) and promotion when not worse than the model in service',
    lock: RING_TABLES_LOCK,
    async run(context: JobContext): Promise<JobResult> {
      const range = await readFactTimeRange(context.connection);
      const asOf = range === undefined || range.last.getTime() > context.now.getTime() ? context.now : range.last;
      try {
        const result = await trainRiskModel(context.connection, {
          ...options,
          now: asOf,
          ...(context.runOptions?.promote === false ? { promote: false } : {}),
          ...(context.runOptions?.force === true ? { trainOnUnchangedData: true } : {}),
          featureOptions: featureOptionsOf(context.config),
          labelPolicy: trainingLabelPolicyOf(context.config),
          decidedBy: context.runOptions?.requestedBy === undefined ? 'train job' : `train job, started by ${context.runOptions.requestedBy}`,
          signal: context.signal,
          log: (message) => context.logger.info(message),
        });
        // No new labels or data since a model already judged: a skipped run, nothing promoted, no rescoring.
        if ('unchanged' in result) return { rowsWritten: 0, skipped: result.reason };
        const details: TrainJobDetails = {
          version: result.version,
          promoted: result.promotion.promote,
          reason: result.promotion.reason,
          asOf: asOf.toISOString(),
          rocAuc: result.metrics.roc_auc,
          prAuc: result.metrics.pr_auc,
          rows: { training: result.metrics.rows.training, validation: result.metrics.rows.validation },
          trainingSeconds: result.trainingSeconds,
        };
        return { rowsWritten: 1, details: { ...details } };
      } catch (error: unknown) {
        if (isRetourError(error, 'RETOUR_MODEL_NOT_ENOUGH_DATA')) return { rowsWritten: 0, skipped: error.message };
        throw error;
      }
    },
  };
}

/** The train job with the default forest, as `retour model train` trains it. */
export const trainJob: Job = createTrainJob();

/**
 * What the API's training routes need (api/routes/model-routes.ts ModelTrainingControl) from a
 * scheduler that holds the train job: start a run now, whether one runs, and what to do after a
 * promotion over HTTP.
 */
export function trainingControlOf(scheduler: Pick<JobScheduler, 'runNow' | 'state'>, promoted: (version: string) => void) {
  return {
    start: (runOptions: JobRunOptions = {}) => scheduler.runNow(trainJob.name, runOptions),
    isRunning: () => scheduler.state()[trainJob.name]?.running === true,
    promoted,
  };
}

/** The version a train run put in service, if it promoted one. */
export function promotedVersionOf(job: Job, result: JobResult): string | undefined {
  if (job.name !== trainJob.name || result.details?.['promoted'] !== true) return undefined;
  const version = result.details['version'];
  return typeof version === 'string' ? version : undefined;
}

/**
 * When the first scheduled training of a server comes: one interval after the last training
 * recorded (succeeded or skipped), at once if that is past, or one interval after the start when
 * none is recorded — a restart does not retrain, and a new server starts training once labels
 * have had time to accumulate (POST /v1/models/train does not wait).
 */
export function firstTrainingDelayMs(options: { lastCompleted: Date | null; everySeconds: number; now: Date }): number {
  const everyMs = options.everySeconds * 1000;
  if (options.lastCompleted === null) return everyMs;
  return Math.min(everyMs, Math.max(0, options.lastCompleted.getTime() + everyMs - options.now.getTime()));
}
