/** Schemas of the model routes: the fraud model registry, a training run, a promotion. */
import { Type } from '@sinclair/typebox';
import { NullableNumber, NullableString } from './common-schemas.ts';

const ComparedFigures = Type.Object({ prAuc: NullableNumber(), rocAuc: NullableNumber() }, { additionalProperties: false });

/** One promotion decision (table model_promotions, append-only). */
export const PromotionHistoryEntry = Type.Object(
  {
    decidedAt: Type.String({ format: 'date-time' }),
    promoted: Type.Boolean({ description: 'Put in service (true) or kept out of it (false)' }),
    forced: Type.Boolean({ description: 'An operator overrode the rule' }),
    source: Type.Union([Type.Literal('training'), Type.Literal('operator'), Type.Literal('before-016')], {
      description: "'training': after a training; 'operator': retour model promote or this API; 'before-016': the one decision kept before the history existed",
    }),
    decidedBy: Type.String({ description: "'train job', 'cli:USER' or 'key:KEY_ID (NAME)'" }),
    reason: Type.String(),
    previousVersion: NullableString({ description: 'The model in service when decided; a promotion retired it' }),
    compared: Type.Object(
      {
        candidate: ComparedFigures,
        serving: Type.Union([Type.Object({ version: Type.String(), prAuc: NullableNumber(), rocAuc: NullableNumber() }, { additionalProperties: false }), Type.Null()]),
      },
      { additionalProperties: false, description: 'The validation figures compared: this model\'s and the serving model\'s on the same rows (null: none)' },
    ),
  },
  { additionalProperties: false },
);

/** A version as the registry writes it (`rf-20261127T101500Z-abc12`), or any id an operator imported. */
export const ModelParams = Type.Object(
  { version: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$', errorMessage: 'must be a model version as GET /v1/models lists it', description: 'The model version (GET /v1/models)' }) },
  { additionalProperties: false },
);

export const ModelListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Most models listed, newest first' })) },
  { additionalProperties: false },
);

const TimeWindow = Type.Object(
  { start: Type.String({ format: 'date-time' }), end: Type.String({ format: 'date-time' }) },
  { additionalProperties: false, description: 'First and last snapshot date of the period' },
);

export const ModelInfo = Type.Object(
  {
    version: Type.String(),
    status: Type.Union([Type.Literal('candidate'), Type.Literal('serving'), Type.Literal('retired')], { description: 'serving: scores with it; candidate: trained, not promoted; retired: served before' }),
    inService: Type.Boolean({ description: 'Whether the risk job scores with this model' }),
    algorithm: Type.String(),
    features: Type.Array(Type.String(), { description: 'Feature names, in the model\'s column order' }),
    createdAt: Type.String({ format: 'date-time' }),
    promotedAt: NullableString({ format: 'date-time', description: 'When it was last put in service; null if never' }),
    trainingWindow: TimeWindow,
    validationWindow: TimeWindow,
    metrics: Type.Object(
      {
        rocAuc: NullableNumber(),
        prAuc: NullableNumber(),
        precisionAtTop1Percent: NullableNumber(),
        precisionAtTop100: NullableNumber(),
        brier: NullableNumber({ description: 'Of the calibrated probabilities' }),
        rows: Type.Object(
          { training: Type.Integer(), trainingPositive: Type.Integer(), validation: Type.Integer(), validationPositive: Type.Integer() },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false, description: 'On the validation rows (the period after the training period)' },
    ),
    servingComparison: Type.Union(
      [Type.Object({ version: Type.String(), rocAuc: NullableNumber(), prAuc: NullableNumber() }, { additionalProperties: false }), Type.Null()],
      { description: 'The model in service when this one was trained, on the same validation rows; null when there was none' },
    ),
    promotion: Type.Union([Type.Object({ promote: Type.Boolean(), reason: Type.String() }, { additionalProperties: false }), Type.Null()], {
      description: 'The last promotion decision about this model (after training, or by an operator)',
    }),
    promotions: Type.Array(PromotionHistoryEntry, { description: 'Every promotion decision about this model, oldest first (retour model history VERSION)' }),
  },
  { additionalProperties: false },
);

export const ModelList = Type.Object(
  {
    inService: NullableString({ description: 'Version of the model in service; null when the scores are the rules\' alone' }),
    training: Type.Boolean({ description: 'Whether a training run is in progress in this server' }),
    models: Type.Array(ModelInfo),
  },
  { additionalProperties: false },
);

/** Training's choices: an empty body, or none, trains as `retour model train` does. */
export const TrainRequest = Type.Object(
  {
    force: Type.Optional(
      Type.Boolean({
        description:
          'Default false: no training when a registered model was already trained on the same rows and settings (the run is skipped, saying which). true: train anyway, e.g. after upgrading Retour (retour model train --force)',
      }),
    ),
    promote: Type.Optional(
      Type.Boolean({
        description:
          'Default true: the new model is put in service if it is not worse than the one in service. false: it is registered as a candidate only (retour model train --no-promote); promote it later with POST /v1/models/{version}/promote',
      }),
    ),
  },
  { additionalProperties: false, description: 'Optional; no body trains as `retour model train` does' },
);

export const TrainingStarted = Type.Object(
  {
    runId: Type.Integer({ description: 'The job run (GET /v1/jobs?job=train shows its status: running, then succeeded, skipped or failed)' }),
    job: Type.Literal('train'),
    status: Type.Literal('running'),
    promote: Type.Boolean({ description: 'Whether the run may put its model in service (the request\'s promote, default true)' }),
  },
  { additionalProperties: false },
);

export const PromoteRequest = Type.Object(
  { force: Type.Optional(Type.Boolean({ default: false, description: 'Put it in service even if it is not shown to be at least as good as the model in service (audited as forced)' })) },
  { additionalProperties: false },
);

export const PromotionResult = Type.Object(
  {
    version: Type.String(),
    outcome: Type.Union([Type.Literal('promoted'), Type.Literal('already_serving')]),
    forced: Type.Boolean(),
    reason: NullableString({ description: 'Why it was promoted; null when it was already serving' }),
    previousVersion: NullableString({ description: 'The model it replaced' }),
    scoresRefresh: Type.String({ description: 'When the scores carry the new version' }),
  },
  { additionalProperties: false },
);
