/** Labelled rows of one period of the time split, and how many of them are positive. */
export interface LabelCounts {
  readonly rows: number;
  readonly positives: number;
}

/**
 * The fewest positive rows a training may rest on (RETOUR_TRAIN_MIN_TRAINING_POSITIVES,
 * RETOUR_TRAIN_MIN_VALIDATION_POSITIVES); docs/risk.md § Too few labels gives the reasoning.
 */
export interface TrainingLabelPolicy {
  /** Positive rows in the training period: enough for the forest to learn from. */
  readonly minTrainingPositives: number;
  /** Positive rows in the validation period: enough for its metrics, and the promotion that compares them, to mean something. */
  readonly minValidationPositives: number;
}

/**
 * Defaults: 40 training positives = twice the forest's `minSamplesLeaf` (20), so a tree, which sees half
 * the rows, can still make a leaf of positives; with 50 validation positives one standard deviation of
 * ROC-AUC is 0.02 and of PR-AUC 0.044, against 0.18 and 0.37 with one positive (binormal scores of
 * ROC-AUC 0.9 at the demo's 0.66% prevalence; docs/risk.md § Too few labels).
 */
export const DEFAULT_TRAINING_LABEL_POLICY: TrainingLabelPolicy = Object.freeze({ minTrainingPositives: 40, minValidationPositives: 50 });

export type TrainingLabelVerdict =
  | { readonly enough: true }
  /** `missing`: each shortfall with its setting, then the counts; `reason`: the sentence a refused training gives. */
  | { readonly enough: false; readonly reason: string; readonly missing: string };

/**
 * Whether the labelled rows of a time split are enough to train a model and to measure it — asked
 * before any forest is trained (`trainRiskModel`, so `retour model train`, the train job and
 * POST /v1/models/train alike). Each period needs at least its minimum of positive rows and one negative.
 * The reason names every shortfall with the count and the setting to change.
 *
 * @example
 * decideTrainingLabels({ training: { rows: 2000, positives: 45 }, validation: { rows: 5000, positives: 3 } }, DEFAULT_TRAINING_LABEL_POLICY);
 * // → { enough: false, reason: 'not enough labels to train and measure a model: 3 positives in validation, needs ≥ 50 (RETOUR_TRAIN_MIN_VALIDATION_POSITIVES) — training 45/2000 rows positive, validation 3/5000', missing: '3 positives in validation, …' }
 */
export function decideTrainingLabels(counts: { readonly training: LabelCounts; readonly validation: LabelCounts }, policy: TrainingLabelPolicy): TrainingLabelVerdict {
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`decideTrainingLabels: ${name} must be an integer ≥ 1, got ${value}`);
  }
  const shortfalls: string[] = [];
  const periods = [
    { name: 'training', counts: counts.training, minimum: policy.minTrainingPositives, setting: 'RETOUR_TRAIN_MIN_TRAINING_POSITIVES' },
    { name: 'validation', counts: counts.validation, minimum: policy.minValidationPositives, setting: 'RETOUR_TRAIN_MIN_VALIDATION_POSITIVES' },
  ];
  for (const period of periods) {
    const { rows, positives } = period.counts;
    if (positives < period.minimum) shortfalls.push(`${positives} ${positives === 1 ? 'positive' : 'positives'} in ${period.name}, needs ≥ ${period.minimum} (${period.setting})`);
    // The old "both labels" rule, kept: a period of positives only has nothing to tell them from.
    if (rows > 0 && positives >= rows) shortfalls.push(`no negative rows in ${period.name}`);
  }
  if (shortfalls.length === 0) return { enough: true };
  const missing =
    `${shortfalls.join('; ')} — ` +
    `training ${counts.training.positives}/${counts.training.rows} rows positive, validation ${counts.validation.positives}/${counts.validation.rows}`;
  return { enough: false, reason: `not enough labels to train and measure a model: ${missing}`, missing };
}
