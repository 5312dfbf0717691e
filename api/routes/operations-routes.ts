/**
 * Health (/healthz), readiness (/readyz), what ingest has stored (/v1/status), recent job runs
 * (/v1/jobs) and the quarantine (/v1/quarantine).
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { DuckDBConnection } from '@duckdb/node-api';
import { listJobRuns } from '../../store/job-runs.ts';
import { readIngestStatus } from '../../store/read-ingest-status.ts';
import { readQuarantinePage } from '../../store/read-quarantined-messages.ts';
import { sendTabular } from '../plugins/arrow-tables.ts';
import { AUTHENTICATED_PROBLEMS, okResponse, problemResponses } from '../schemas/common-schemas.ts';
import { JobList, JobQuery, JobRun } from '../schemas/quality-schemas.ts';
import { QUARANTINE_PREVIEW_BYTES, QuarantinedMessage, QuarantinePage, QuarantineQuery } from '../schemas/quarantine-schemas.ts';

/** DuckDB's TIMESTAMPTZ text (`2026-11-20 10:15:00.123+00`) as RFC 3339. */
export function duckTimestampToIso(text: string): string {
  return new Date(text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')).toISOString();
}

/** The reason a skipped run recorded (runJob writes it as details.skipped). */
function skipReasonOf(details: unknown): string | null {
  const reason = (details as { skipped?: unknown } | null)?.skipped;
  return typeof reason === 'string' ? reason : null;
}

/** What the process owner reports about ingest (`retour serve`: the Kafka consumer's connection, the demo feed). */
export interface IngestHealth {
  /** E.g. `connecting`, `consuming`, `reconnecting`, `demo-live`, `disabled`, `stopped`. */
  readonly state: string;
  /** False makes /readyz answer 503. */
  readonly ready: boolean;
  /** When ingest entered this state; for `reconnecting`, the first failure of the outage. */
  readonly since?: Date;
  /** While reconnecting: the last Kafka error (no credentials). */
  readonly lastError?: string;
}

const ingestSince = Type.Optional(Type.String({ format: 'date-time', description: 'When ingest entered this state (Kafka ingest only); while reconnecting, since the first failure of the outage' }));
const ingestError = Type.Optional(Type.String({ description: 'While reconnecting: the last Kafka error, e.g. "Connection error: connect ECONNREFUSED 10.0.0.5:9092"' }));

/** The ingest fields of /readyz and /v1/status, without the ones not known. */
function ingestFields(health: IngestHealth): { ingest: string; ingestSince?: string; ingestError?: string } {
  return {
    ingest: health.state,
    ...(health.since === undefined ? {} : { ingestSince: health.since.toISOString() }),
    ...(health.lastError === undefined ? {} : { ingestError: health.lastError }),
  };
}

const Readiness = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
    database: Type.Union([Type.Literal('open'), Type.Literal('unavailable')]),
    schemaVersion: Type.Integer(),
    migrationsApplied: Type.Boolean(),
    ingest: Type.String({ description: 'Consumer state: connecting, consuming, reconnecting (not ready: Kafka lost, kafkajs retrying), stopped; demo-history, demo-live with --demo; disabled without Kafka' }),
    ingestSince,
    ingestError,
  },
  { additionalProperties: false },
);

const Counts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }));
const IngestStatusBody = Type.Object(
  {
    eventsTotal: Type.Integer({ minimum: 0, description: 'Rows of the event log' }),
    events: Counts,
    duplicatesTotal: Type.Integer({ minimum: 0, description: 'Messages seen again with the same id and content, or an order, return, refund, claim or decision re-sent under a new id with the same data (counted, not stored)' }),
    quarantinedTotal: Type.Integer({ minimum: 0 }),
    quarantined: Counts,
    offsets: Type.Array(
      Type.Object({ topic: Type.String(), partition: Type.Integer({ minimum: 0 }), nextOffset: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
      { description: 'Next offset to read per topic and partition, stored with the data (lag per partition: retour_ingest_lag_messages on /metrics)' },
    ),
    schemaVersion: Type.Integer({ minimum: 0 }),
    ingest: Type.String({ description: 'Consumer state, as on /readyz' }),
    ingestSince,
    ingestError,
  },
  { additionalProperties: false },
);

export interface OperationsRouteOptions {
  connection: DuckDBConnection;
  schemaVersion: number;
  /** The newest migration this build ships; ready once the database has it. */
  expectedSchemaVersion: number;
  ingestState: () => IngestHealth;
}

export function registerOperationsRoutes(app: FastifyInstance, options: OperationsRouteOptions): void {
  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: { tags: ['operations'], summary: 'Liveness: the process answers', response: { 200: okResponse(Type.Object({ status: Type.Literal('ok') }), 'Alive') } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: database open, migrations applied, consumer state',
        response: { 200: okResponse(Readiness, 'Ready'), 503: okResponse(Readiness, 'Not ready (the body says why)') },
      },
    },
    async (_request, reply) => {
      const ingest = options.ingestState();
      let databaseOpen = true;
      try {
        await options.connection.run('SELECT 1');
      } catch {
        databaseOpen = false;
      }
      const migrationsApplied = options.schemaVersion >= options.expectedSchemaVersion && options.schemaVersion > 0;
      const ready = databaseOpen && migrationsApplied && ingest.ready;
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        database: databaseOpen ? 'open' : 'unavailable',
        schemaVersion: options.schemaVersion,
        migrationsApplied,
        ...ingestFields(ingest),
      });
    },
  );

  app.get(
    '/v1/status',
    {
      config: { permission: 'status:read' },
      schema: {
        tags: ['operations'],
        summary: 'What ingest has stored: events by type, duplicates, quarantined messages by code, offsets (retour status --json, while the server holds the database)',
        security: [{ apiKey: [] }],
        response: { 200: okResponse(IngestStatusBody, 'Ingest counts and offsets'), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async () => ({ ...(await readIngestStatus(options.connection)), ...ingestFields(options.ingestState()) }),
  );

  app.get<{ Querystring: Static<typeof JobQuery> }>(
    '/v1/jobs',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags: ['operations'],
        summary: 'Recent batch job runs, newest first',
        security: [{ apiKey: [] }],
        querystring: JobQuery,
        response: { 200: okResponse(JobList, 'Job runs', { arrow: true }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const runs = (await listJobRuns(options.connection, { limit: request.query.limit ?? 50, ...(request.query.job === undefined ? {} : { job: request.query.job }) })).map((run) => {
        const startedAt = duckTimestampToIso(run.startedAt);
        const finishedAt = run.finishedAt === null ? null : duckTimestampToIso(run.finishedAt);
        return {
          runId: run.runId,
          job: run.job,
          startedAt,
          finishedAt,
          status: run.status,
          rowsWritten: run.rowsWritten,
          error: run.error,
          skipReason: run.status === 'skipped' ? skipReasonOf(run.details) : null,
          durationSeconds: finishedAt === null ? null : (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000,
        };
      });
      return sendTabular(request, reply, { rows: runs, rowSchema: JobRun, json: { runs } });
    },
  );
  app.get<{ Querystring: Static<typeof QuarantineQuery> }>(
    '/v1/quarantine',
    {
      config: { permission: 'quarantine:read' },
      schema: {
        tags: ['operations'],
        summary: 'Messages ingest refused, newest first: the error code, where in the event, the message and the raw text',
        security: [{ apiKey: [] }],
        querystring: QuarantineQuery,
        response: { 200: okResponse(QuarantinePage, 'One page of quarantined messages', { arrow: true }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const page = await readQuarantinePage(options.connection, {
        limit: query.limit ?? 50,
        previewBytes: QUARANTINE_PREVIEW_BYTES,
        ...(query.cursor === undefined ? {} : { before: Number(query.cursor) }),
        ...(query.errorCode === undefined ? {} : { errorCode: query.errorCode }),
        ...(query.topic === undefined ? {} : { topic: query.topic }),
        ...(query.eventType === undefined ? {} : { eventType: query.eventType }),
        ...(query.since === undefined ? {} : { since: query.since }),
      });
      const last = page.entries.at(-1);
      const nextCursor = page.hasMore && last !== undefined ? String(last.quarantineId) : null;
      if (nextCursor !== null) reply.header('x-next-cursor', nextCursor);
      return sendTabular(request, reply, { rows: page.entries, rowSchema: QuarantinedMessage, json: { messages: page.entries, nextCursor } });
    },
  );
}
