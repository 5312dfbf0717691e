/**
 * The fraud model lifecycle while `retour serve` runs: the registry, a training run now, and a
 * promotion under the same rule as `retour model promote`. Reading the registry needs models:read;
 * training and promoting, models:manage (admin keys).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { DuckDBConnection } from '@duckdb/node-api';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { decideManualPromotion } from '../../models/risk/decide-manual-promotion.ts';
import type { TrainingLabelPolicy } from '../../models/risk/decide-training-labels.ts';
import { appendAuditEntry, type AuditActor } from '../../store/api/audit-log.ts';
import {
  comparedFiguresOf,
  findModel,
  listModels,
  listPromotionHistory,
  promoteModel,
  promotionFiguresOf,
  readServingVersion,
  type PromotionHistoryEntry,
  type RegisteredModel,
} from '../../store/risk/model-registry.ts';
import { typeboxValidatorCompiler } from '../plugins/typebox-validator.ts';
import type { SerialQueue } from '../serial-queue.ts';
import { AUTHENTICATED_PROBLEMS, okResponse, problemResponses } from '../schemas/common-schemas.ts';
import { ModelList, ModelListQuery, ModelParams, PromoteRequest, PromotionResult, TrainingStarted, TrainRequest } from '../schemas/model-schemas.ts';
import { duckTimestampToIso } from './operations-routes.ts';
import { OPTIONAL_BODY } from '../plugins/openapi-docs.ts';

/** What the process owner (the serve command, through its job scheduler) lets the API do with training. */
export interface ModelTrainingControl {
  /**
   * Starts a training run now; resolves with its job_runs id once recorded. RETOUR_JOB_RUNNING when
   * one runs. `promote: false`: the new model stays a candidate whatever its metrics.
   */
  start(options?: { promote?: boolean; force?: boolean; requestedBy?: string }): Promise<number>;
  /** Whether a training run is in progress. */
  isRunning(): boolean;
  /** A model was put in service over HTTP: the owner brings the scores up to date (the next risk run, now). */
  promoted(version: string): void;
}

export interface ModelRouteOptions {
  connection: DuckDBConnection;
  /** The API's write queue: a promotion shares the connection with decisions and key changes. */
  serial: SerialQueue;
  /** Absent outside `retour serve` (no scheduler): training over HTTP answers 501. */
  training?: ModelTrainingControl;
  /** The label minimums a promoted model must have been trained and validated on (RETOUR_TRAIN_MIN_*_POSITIVES). */
  labelPolicy: TrainingLabelPolicy;
  now: () => Date;
}

function actorOf(request: FastifyRequest): AuditActor {
  if (request.principal === null) throw new RetourError('RETOUR_UNAUTHORIZED', 'send an API key as Authorization: Bearer KEY');
  return { keyId: request.principal.keyId, keyName: request.principal.name, role: request.principal.role, requestId: String(request.id) };
}

/** NaN and infinities are stored as null by JSON; a metric that could not be computed is null here too. */
function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function promotionInfo(entry: PromotionHistoryEntry): Static<typeof ModelList>['models'][number]['promotions'][number] {
  const { candidate, serving } = entry.compared;
  return {
    decidedAt: duckTimestampToIso(entry.decidedAt),
    promoted: entry.promoted,
    forced: entry.forced,
    source: entry.source,
    decidedBy: entry.decidedBy,
    reason: entry.reason,
    previousVersion: entry.previousVersion,
    compared: {
      candidate: { prAuc: finiteOrNull(candidate.prAuc), rocAuc: finiteOrNull(candidate.rocAuc) },
      serving: serving === null ? null : { version: serving.version, prAuc: finiteOrNull(serving.prAuc), rocAuc: finiteOrNull(serving.rocAuc) },
    },
  };
}

function modelInfo(model: RegisteredModel, servingVersion: string | undefined, history: readonly PromotionHistoryEntry[]): Static<typeof ModelList>['models'][number] {
  const { metrics } = model;
  const comparison = metrics.serving_comparison;
  return {
    version: model.version,
    status: model.status,
    inService: model.version === servingVersion,
    algorithm: model.algorithm,
    features: [...model.features],
    createdAt: duckTimestampToIso(model.createdAt),
    promotedAt: model.promotedAt === null ? null : duckTimestampToIso(model.promotedAt),
    trainingWindow: { start: duckTimestampToIso(model.trainingWindowStart), end: duckTimestampToIso(model.trainingWindowEnd) },
    validationWindow: { start: duckTimestampToIso(model.validationWindowStart), end: duckTimestampToIso(model.validationWindowEnd) },
    metrics: {
      rocAuc: finiteOrNull(metrics.roc_auc),
      prAuc: finiteOrNull(metrics.pr_auc),
      precisionAtTop1Percent: finiteOrNull(metrics.precision_at_k?.top_1_percent),
      precisionAtTop100: finiteOrNull(metrics.precision_at_k?.top_100),
      brier: finiteOrNull(metrics.brier),
      rows: {
        training: metrics.rows?.training ?? 0,
        trainingPositive: metrics.rows?.training_positive ?? 0,
        validation: metrics.rows?.validation ?? 0,
        validationPositive: metrics.rows?.validation_positive ?? 0,
      },
    },
    servingComparison: comparison === undefined ? null : { version: comparison.version, rocAuc: finiteOrNull(comparison.roc_auc), prAuc: finiteOrNull(comparison.pr_auc) },
    promotion: metrics.promotion === undefined ? null : { promote: metrics.promotion.promote, reason: metrics.promotion.reason },
    promotions: history.filter((entry) => entry.version === model.version).map(promotionInfo),
  };
}

/** Lets a command route be called without a body (`curl -X POST …`): no body is an empty one. */
function defaultEmptyBody(request: FastifyRequest, _reply: unknown, done: () => void): void {
  // No body at all is the empty request; a JSON `null` is a body of the wrong type (400).
  if (request.body === undefined) request.body = {};
  done();
}

export function registerModelRoutes(app: FastifyInstance, options: ModelRouteOptions): void {
  const { connection, serial, training } = options;

  app.get<{ Querystring: Static<typeof ModelListQuery> }>(
    '/v1/models',
    {
      config: { permission: 'models:read' },
      schema: {
        tags: ['risk'],
        summary: 'The fraud model registry, newest first: status, features, training and validation windows, validation metrics, every promotion decision (retour model list, retour model history)',
        security: [{ apiKey: [] }],
        querystring: ModelListQuery,
        response: { 200: okResponse(ModelList, 'The registry'), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request) => {
      const [models, servingVersion, history] = await Promise.all([listModels(connection), readServingVersion(connection), listPromotionHistory(connection)]);
      return {
        inService: servingVersion ?? null,
        training: training?.isRunning() ?? false,
        models: models.slice(0, request.query.limit ?? 50).map((model) => modelInfo(model, servingVersion, history)),
      };
    },
  );

  app.post<{ Body: Static<typeof TrainRequest> }>(
    '/v1/models/train',
    {
      config: { permission: 'models:manage' },
      validatorCompiler: typeboxValidatorCompiler,
      preValidation: defaultEmptyBody,
      schema: {
        tags: ['risk'],
        summary:
          'Start a training run now (the train job, as retour model train: time split, promoted only if not worse than the model in service; with `promote: false` it stays a candidate, as retour model train --no-promote). 202 with the job run; 409 while one runs. Audited as model.train',
        security: [{ apiKey: [] }],
        body: TrainRequest,
        ...OPTIONAL_BODY,
        response: { 202: okResponse(TrainingStarted, 'The run started; follow it at GET /v1/jobs?job=train'), ...problemResponses(...AUTHENTICATED_PROBLEMS, 409, 413, 415, 501) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if (training === undefined) {
        throw new RetourError('RETOUR_NOT_AVAILABLE', 'training over HTTP needs the job scheduler of retour serve; use `retour model train` while the server is stopped');
      }
      const promote = request.body.promote ?? true;
      const force = request.body.force ?? false;
      // RETOUR_JOB_RUNNING (409) when a run is in progress: a job never runs twice at once.
      const runId = await training.start({ promote, force, requestedBy: `key:${actor.keyId} (${actor.keyName})` });
      await serial(() => appendAuditEntry(connection, { occurredAt: options.now(), actor, action: 'model.train', target: String(runId), details: { job: 'train', promote, force } }));
      request.log.info({ runId, promote, force, by: actor.keyId }, 'model training started');
      return reply.code(202).send({ runId, job: 'train', status: 'running', promote });
    },
  );

  app.post<{ Params: Static<typeof ModelParams>; Body: Static<typeof PromoteRequest> }>(
    '/v1/models/:version/promote',
    {
      config: { permission: 'models:manage' },
      validatorCompiler: typeboxValidatorCompiler,
      preValidation: defaultEmptyBody,
      schema: {
        tags: ['risk'],
        summary:
          'Put a model in service (retour model promote): only if it was trained and validated on enough positives (RETOUR_TRAIN_MIN_*_POSITIVES) and was not worse than the model in service on the same validation rows, unless force. The risk job rescores every customer at once. Audited as model.promote',
        security: [{ apiKey: [] }],
        params: ModelParams,
        body: PromoteRequest,
        ...OPTIONAL_BODY,
        response: { 200: okResponse(PromotionResult, 'In service'), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 409, 413, 415) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { version } = request.params;
      const force = request.body.force ?? false;
      // A training run compares its model with the one in service and may promote it: changing that
      // model meanwhile would let it replace one it was never compared with.
      if (training?.isRunning() === true) throw new RetourError('RETOUR_JOB_RUNNING', 'a training run is in progress; promote once it has finished (GET /v1/jobs?job=train)');
      const result = await serial(async () => {
        const candidate = await findModel(connection, version);
        if (candidate === undefined) throw new RetourError('RETOUR_NOT_FOUND', `no model ${JSON.stringify(version)} in the registry (GET /v1/models)`);
        const servingVersion = await readServingVersion(connection);
        const promotion = decideManualPromotion({ ...promotionFiguresOf(candidate), force }, servingVersion, options.labelPolicy);
        if (promotion.outcome === 'refused') throw new RetourError('RETOUR_CONFLICT', `not promoted: ${promotion.reason}; send {"force": true} to override`);
        if (promotion.outcome === 'promote') {
          const at = options.now();
          await promoteModel(connection, {
            record: {
              version,
              decidedAt: at,
              forced: promotion.forced,
              decidedBy: `key:${actor.keyId} (${actor.keyName})`,
              reason: promotion.decision.reason,
              previousVersion: servingVersion ?? null,
              compared: comparedFiguresOf(candidate),
            },
            alsoRecord: () =>
              appendAuditEntry(connection, { occurredAt: at, actor, action: 'model.promote', target: version, details: { reason: promotion.decision.reason, forced: promotion.forced, previousVersion: servingVersion ?? null } }),
          });
        }
        return { promotion, servingVersion };
      });
      const { promotion, servingVersion } = result;
      if (promotion.outcome === 'already_serving') {
        return { version, outcome: 'already_serving', forced: false, reason: null, previousVersion: null, scoresRefresh: 'unchanged: the scores already come from this model' };
      }
      request.log.info({ version, previous: servingVersion, forced: promotion.forced, by: actor.keyId }, 'model promoted');
      training?.promoted(version);
      return {
        version,
        outcome: 'promoted',
        forced: promotion.forced,
        reason: promotion.decision.reason,
        previousVersion: servingVersion ?? null,
        scoresRefresh:
          training === undefined
            ? 'at the next risk run'
            : 'the risk job rescores every customer now; GET /v1/customers/{customerId}/risk and POST /v1/risk/score carry the new version once it has finished (GET /v1/jobs?job=risk)',
      };
    },
  );
}
