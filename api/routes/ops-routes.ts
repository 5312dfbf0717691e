/** Returns operations for ops teams: stage-time percentiles, stuck returns, refund exceptions, feedback. */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { DuckDBConnection } from '@duckdb/node-api';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { readFeedbackSummary, readRefundExceptions, readStagePercentiles, readStuckReturns } from '../../store/ops/read-ops-reports.ts';
import { sendTabular } from '../plugins/arrow-tables.ts';
import { AUTHENTICATED_PROBLEMS, okResponse, problemResponses } from '../schemas/common-schemas.ts';
import { FeedbackQuery, FeedbackReport, FeedbackSummaryRow, RefundException, RefundExceptionPage, RefundExceptionQuery, StagePercentile, StageTimeQuery, StageTimeReport, StuckList, StuckQuery, StuckReturn } from '../schemas/ops-schemas.ts';

/**
 * Cursor: the last exception of a page as `DETECTED_AT_MILLIS~EXCEPTION_ID`. Every string the
 * schema's pattern (RefundExceptionQuery.cursor) admits decodes to a position, so a well-formed
 * cursor is never refused.
 */
export function encodeExceptionCursor(position: { detectedAt: string; exceptionId: string }): string {
  return `${Date.parse(position.detectedAt)}~${position.exceptionId}`;
}

export function decodeExceptionCursor(cursor: string): { detectedAt: string; exceptionId: string } {
  const separator = cursor.indexOf('~');
  const millis = Number(cursor.slice(0, separator));
  if (separator < 1 || !Number.isSafeInteger(millis) || millis > 8.64e15) {
    throw new RetourError('RETOUR_BAD_REQUEST', 'query.cursor is not a cursor this API returned (use nextCursor of the previous page)', {
      details: { errors: [{ field: 'query.cursor', message: 'must be a nextCursor value returned by GET /v1/ops/refund-exceptions' }] },
    });
  }
  return { detectedAt: new Date(millis).toISOString(), exceptionId: cursor.slice(separator + 1) };
}

export function registerOpsRoutes(app: FastifyInstance, options: { connection: DuckDBConnection }): void {
  app.get<{ Querystring: Static<typeof StageTimeQuery> }>(
    '/v1/ops/stage-times',
    {
      config: { permission: 'ops:read' },
      schema: {
        tags: ['ops'],
        summary: 'Stage-time percentiles (p50, p90, p99 hours) per category, seller, method or overall, per week or over all weeks',
        security: [{ apiKey: [] }],
        querystring: StageTimeQuery,
        response: { 200: okResponse(StageTimeReport, 'Percentile rows (Arrow: the same rows)', { arrow: true }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const percentiles = await readStagePercentiles(options.connection, {
        dimension: query.dimension ?? 'all',
        weekly: query.weekly ?? true,
        limit: query.limit ?? 1000,
        ...(query.value === undefined ? {} : { value: query.value }),
        ...(query.stage === undefined ? {} : { stage: query.stage }),
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.to === undefined ? {} : { to: query.to }),
      });
      return sendTabular(request, reply, { rows: percentiles, rowSchema: StagePercentile, json: { percentiles } });
    },
  );

  app.get<{ Querystring: Static<typeof StuckQuery> }>(
    '/v1/ops/stuck-returns',
    {
      config: { permission: 'ops:read' },
      schema: {
        tags: ['ops'],
        summary: 'Open returns waiting in a stage longer than its limit (RETOUR_OPS_STUCK_DAYS), oldest first',
        security: [{ apiKey: [] }],
        querystring: StuckQuery,
        response: { 200: okResponse(StuckList, 'Stuck returns', { arrow: true }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const stuck = await readStuckReturns(options.connection, { limit: request.query.limit ?? 100, ...(request.query.stage === undefined ? {} : { stage: request.query.stage }) });
      return sendTabular(request, reply, { rows: stuck, rowSchema: StuckReturn, json: { stuck } });
    },
  );

  app.get<{ Querystring: Static<typeof RefundExceptionQuery> }>(
    '/v1/ops/refund-exceptions',
    {
      config: { permission: 'ops:read' },
      schema: {
        tags: ['ops'],
        summary: 'Refund exceptions with their evidence, newest first, filtered by kind, status, category, seller, customer, with cursor pagination',
        security: [{ apiKey: [] }],
        querystring: RefundExceptionQuery,
        response: { 200: okResponse(RefundExceptionPage, 'One page; X-Next-Cursor repeats nextCursor for Arrow clients', { arrow: true }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const limit = query.limit ?? 50;
      const after = query.cursor === undefined ? undefined : decodeExceptionCursor(query.cursor);
      const page = await readRefundExceptions(options.connection, {
        limit,
        ...(query.kind === undefined ? {} : { kind: query.kind }),
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.category === undefined ? {} : { category: query.category }),
        ...(query.seller === undefined ? {} : { sellerId: query.seller }),
        ...(query.customer === undefined ? {} : { customerId: query.customer }),
        ...(query.since === undefined ? {} : { since: query.since }),
        ...(after === undefined ? {} : { after }),
      });
      const last = page.exceptions.at(-1);
      const nextCursor = page.hasMore && last !== undefined ? encodeExceptionCursor(last) : null;
      if (nextCursor !== null) reply.header('x-next-cursor', nextCursor);
      return sendTabular(request, reply, { rows: page.exceptions, rowSchema: RefundException, json: { exceptions: page.exceptions, nextCursor } });
    },
  );

  app.get<{ Querystring: Static<typeof FeedbackQuery> }>(
    '/v1/ops/feedback',
    {
      config: { permission: 'ops:read' },
      schema: {
        tags: ['ops'],
        summary: 'Customer ratings and comments per category, seller, method and stage, and how ratings differ with slow stages and refund exceptions',
        security: [{ apiKey: [] }],
        querystring: FeedbackQuery,
        response: { 200: okResponse(FeedbackReport, 'Feedback summary (Arrow: the summary rows)', { arrow: true }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const report = await readFeedbackSummary(options.connection, request.query.dimension === undefined ? {} : { dimension: request.query.dimension });
      return sendTabular(request, reply, { rows: report.summary, rowSchema: FeedbackSummaryRow, json: report });
    },
  );
}
