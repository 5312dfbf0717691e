/**
 * Builds the fastify application. Boot order is visible here: error handling, request metrics,
 * authentication, rate limit and OpenAPI docs (plugins), then the routes. The process-level wiring
 * (listen, shutdown, refreshing the risk snapshots after each risk run) lives in the serve command.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type preParsingHookHandler } from 'fastify';
import type { Logger } from 'pino';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../config/load-config.ts';
import type { EventProducer } from '../messaging/producer/create-event-producer.ts';
import { createRetourMetrics, type RetourMetrics } from '../observability/metrics-registry.ts';
import type { RequestActivity } from '../observability/request-activity.ts';
import { listMigrations } from '../store/migrate.ts';
import { createApiKeyring, type ApiKeyring } from './api-keyring.ts';
import { createDecisionOutbox, type DecisionOutbox } from './decision-outbox.ts';
import { registerNotAcceptable } from './plugins/arrow-tables.ts';
import { registerAuthentication } from './plugins/authenticate.ts';
import { registerKeyRateLimit } from './plugins/key-rate-limit.ts';
import { registerOpenApiDocs } from './plugins/openapi-docs.ts';
import { answerFrameworkError, MAX_PARAMETER_CHARACTERS, registerProblemDetails, sendProblem } from './plugins/problem-details.ts';
import { registerMetricsRoute, registerRequestMetrics } from './plugins/request-metrics.ts';
import { RequestLogController } from './request-log-controller.ts';
import { createRiskSnapshotHolder, type RiskSnapshotHolder } from './risk-snapshot-holder.ts';
import { registerAdminRoutes } from './routes/admin-routes.ts';
import { registerConsoleRoutes } from './routes/console-routes.ts';
import { registerCustomerRiskRoutes } from './routes/customer-risk-routes.ts';
import { registerFlagRoutes } from './routes/flag-routes.ts';
import { registerModelRoutes, type ModelTrainingControl } from './routes/model-routes.ts';
import { featureOptionsOf } from '../store/risk/compute-customer-features.ts';
import { tierThresholdsOf } from '../models/risk/risk-tier.ts';
import { registerOperationsRoutes, type IngestHealth } from './routes/operations-routes.ts';
import { registerOpsRoutes } from './routes/ops-routes.ts';
import { registerQualityRoutes } from './routes/quality-routes.ts';
import { createSerialQueue } from './serial-queue.ts';

export interface AppDependencies {
  logger: Logger;
  /** The API's own DuckDB connection. */
  connection: DuckDBConnection;
  schemaVersion: number;
  /** Reports whether ingest is healthy, for /readyz and /v1/status. */
  ingestState: () => IngestHealth;
  /**
   * The risk job's policy as well: its tier thresholds, so POST /v1/risk/score decides on the tiers
   * the job gave, and its feature windows, for the evidence under a flag's reasons.
   */
  config: Pick<Config, 'rateLimitPerMinute' | 'topicDecisions' | 'riskReviewThreshold' | 'riskHighThreshold' | 'riskNoReceiptDays' | 'returnWindowDays' | 'returnWindowByCategory' | 'riskHighValue' | 'riskHighValueByCurrency' | 'trainMinTrainingPositives' | 'trainMinValidationPositives'>;
  /** The process's metrics (ingest and jobs record into the same instance). Default: a new one. */
  metrics?: RetourMetrics;
  /** Customer risk for the hot routes; the owner replaces it after each risk run. Default: empty. */
  riskSnapshots?: RiskSnapshotHolder;
  /** Publishes risk.decision events; absent = no Kafka (decisions are stored, not published). */
  producer?: EventProducer;
  /** Clock (decisions, audit, keys). Default: the system clock. */
  now?: () => Date;
  /** Told of every request, so ingest in the same process can give way (observability/request-activity.ts). */
  requestActivity?: RequestActivity;
  /** Training runs and what follows a promotion (the serve command's job scheduler); absent = POST /v1/models/train answers 501. */
  modelTraining?: ModelTrainingControl;
}

/** What the process owner may reach after building the app. */
export interface RetourApiState {
  readonly keyring: ApiKeyring;
  readonly riskSnapshots: RiskSnapshotHolder;
  readonly outbox: DecisionOutbox;
  readonly metrics: RetourMetrics;
}

declare module 'fastify' {
  interface FastifyInstance {
    retour: RetourApiState;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** No body is decompressed: a gzip body reached the JSON parser as bytes and got "not valid JSON". */
const refuseContentEncoding: preParsingHookHandler = (request, reply, payload, done) => {
  const coding = request.headers['content-encoding'];
  if (coding === undefined || /^\s*identity\s*$/i.test(coding)) return done(null, payload);
  const detail = `Content-Encoding ${coding.slice(0, 50)} is not supported; send the body uncompressed`;
  sendProblem(request, reply.header('accept-encoding', 'identity'), {
    code: 'RETOUR_BAD_REQUEST', status: 415, title: 'Unsupported media type', detail, errors: [{ field: 'headers.content-encoding', message: detail }],
  });
};

export async function buildApp(dependencies: AppDependencies): Promise<FastifyInstance> {
  const now = dependencies.now ?? (() => new Date());
  const metrics = dependencies.metrics ?? createRetourMetrics();
  const riskSnapshots = dependencies.riskSnapshots ?? createRiskSnapshotHolder();
  const app = Fastify({
    loggerInstance: dependencies.logger as FastifyBaseLogger,
    // Per-request lines at debug: at info they cost more than a hot route (request-log-controller.ts).
    logController: new RequestLogController(),
    // A caller's X-Request-Id is kept when it is sane, so logs can be joined across services.
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Unknown body fields are an error (400 naming the field), not silently dropped.
    // `errorMessage` states a rule in words where a pattern would be cryptic (typebox-validator.ts
    // reads it for bodies); `verbose` hands it to the error handler (problem-details.ts) as parentSchema.
    ajv: { customOptions: { removeAdditional: false, keywords: ['errorMessage'], verbose: true } },
    // Long path parameters get the schema's 400 naming the field, not a bare 414.
    routerOptions: { maxParamLength: MAX_PARAMETER_CHARACTERS },
    // Errors raised before routing (a path that is not percent-encoding, a parameter beyond the
    // limit above) are problem+json like every other error, not fastify's own JSON.
    frameworkErrors: answerFrameworkError,
  });
  // fastify parses text/plain by default, so a text body reached the JSON schema as a string and
  // got "body expected object"; without a parser it is 415, as docs/api.md promises.
  app.removeContentTypeParser('text/plain');
  // Callback-style hooks: no promise per request on the hot path.
  const requestActivity = dependencies.requestActivity;
  app.addHook('onRequest', (request, reply, done) => {
    requestActivity?.note();
    reply.header('x-request-id', request.id);
    done();
  });

  const routes = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = routes.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    routes.set(route.url, methods);
    // On the routes that read a body only, so GET routes run no extra hook.
    if ([route.method].flat().some((method) => method === 'POST' || method === 'PUT' || method === 'PATCH')) {
      route.preParsing = [...[route.preParsing ?? []].flat(), refuseContentEncoding];
    }
  });

  const keyring = await createApiKeyring(dependencies.connection, now);
  const serial = createSerialQueue();
  const outbox = createDecisionOutbox({ connection: dependencies.connection, producer: dependencies.producer, serial, logger: dependencies.logger, now });
  app.decorate('retour', { keyring, riskSnapshots, outbox, metrics });

  // Plugins.
  registerProblemDetails(app, { routes: () => routes });
  registerRequestMetrics(app, metrics);
  registerAuthentication(app, keyring);
  await registerKeyRateLimit(app, { perMinute: dependencies.config.rateLimitPerMinute });
  registerNotAcceptable(app);
  await registerOpenApiDocs(app, { version: '1.0.0' });

  // Routes.
  registerOperationsRoutes(app, {
    connection: dependencies.connection,
    schemaVersion: dependencies.schemaVersion,
    expectedSchemaVersion: listMigrations().at(-1)?.version ?? 0,
    ingestState: dependencies.ingestState,
  });
  registerMetricsRoute(app, metrics);
  registerConsoleRoutes(app);
  // The risk job's thresholds and feature windows: the score endpoint's tiers and a flag's evidence agree with the job.
  registerCustomerRiskRoutes(app, {
    riskSnapshots,
    thresholds: tierThresholdsOf(dependencies.config),
    highValue: { highValue: dependencies.config.riskHighValue, highValueByCurrency: dependencies.config.riskHighValueByCurrency },
  });
  registerFlagRoutes(app, {
    connection: dependencies.connection,
    riskSnapshots,
    decisions: { connection: dependencies.connection, serial, outbox, topic: dependencies.config.topicDecisions, now },
    featureOptions: featureOptionsOf(dependencies.config),
  });
  registerQualityRoutes(app, { connection: dependencies.connection });
  registerOpsRoutes(app, { connection: dependencies.connection });
  registerModelRoutes(app, {
    connection: dependencies.connection,
    serial,
    now,
    labelPolicy: { minTrainingPositives: dependencies.config.trainMinTrainingPositives, minValidationPositives: dependencies.config.trainMinValidationPositives },
    ...(dependencies.modelTraining === undefined ? {} : { training: dependencies.modelTraining }),
  });
  registerAdminRoutes(app, { connection: dependencies.connection, keyring, serial });

  // Decisions stored while Kafka was down are published once the app is up again.
  app.addHook('onReady', async () => {
    await outbox.flush().catch((error: unknown) => dependencies.logger.warn({ err: error }, 'decision outbox flush failed at start'));
  });
  return app;
}
