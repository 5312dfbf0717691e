/** The review queue: flags with filters and cursor pagination, a flag's evidence, and decisions. */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { DuckDBConnection } from '@duckdb/node-api';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { readCustomerTimeline, readLinkedAccounts } from '../../store/api/read-customer-evidence.ts';
import { readFlag, readFlagQueue, type FlagSummary } from '../../store/api/read-flag-queue.ts';
import { readFlagDecisions } from '../../store/api/record-review-decision.ts';
import { readReasonEvidence, readReasonsRun } from '../../store/api/read-reason-evidence.ts';
import type { FeatureOptions } from '../../store/risk/compute-customer-features.ts';
import { decideFlag, type DecideFlagContext } from '../decide-flag.ts';
import type { RiskSnapshotHolder } from '../risk-snapshot-holder.ts';
import { roundScore } from '../round-score.ts';
import { sendTabular } from '../plugins/arrow-tables.ts';
import { typeboxValidatorCompiler } from '../plugins/typebox-validator.ts';
import { AUTHENTICATED_PROBLEMS, okResponse, problemResponses } from '../schemas/common-schemas.ts';
import { Decision, DecisionHeaders, Flag, FlagEvidence, FlagPage, FlagParams, FlagQuery } from '../schemas/flag-schemas.ts';
import { correctionWithoutNote, DecisionRequest, legitimateWithFraudType } from '../schemas/risk-schemas.ts';

/**
 * The position after the last flag of a page, `KEY~FLAG_ID`: the score (`0.93~flg_05`) or, with
 * sort=oldest, the opening time in µs since the epoch (`1794182400000000~flg_05`). Its pattern in
 * the schema (FLAG_CURSOR_PATTERN) admits only decodable cursors, so a malformed one is a plain 400
 * naming query.cursor.
 */
export function encodeFlagCursor(position: { key: number; flagId: string }): string {
  // String(number) round-trips a double exactly.
  return `${String(position.key)}~${position.flagId}`;
}

/**
 * The cursor's position and the order it was written in: a key above 1 is an opening time (oldest),
 * a fraction a score; 0 and 1 fit both (`sort` undefined: the request's sort decides).
 */
export function decodeFlagCursor(cursor: string): { key: number; flagId: string; sort: 'score' | 'oldest' | undefined } {
  const separator = cursor.indexOf('~');
  const key = Number(cursor.slice(0, separator));
  if (separator < 1 || !Number.isFinite(key) || separator === cursor.length - 1) {
    throw new RetourError('RETOUR_BAD_REQUEST', 'query.cursor is not a cursor this API returned (use nextCursor of the previous page)', {
      details: { errors: [{ field: 'query.cursor', message: 'must be a nextCursor value returned by GET /v1/flags' }] },
    });
  }
  const sort = key > 1 ? 'oldest' : Number.isInteger(key) ? undefined : 'score';
  return { key, flagId: cursor.slice(separator + 1), sort };
}

function withShownScore(flag: FlagSummary): FlagSummary {
  return { ...flag, score: roundScore(flag.score) };
}

const DECISION_CONFLICTS =
  'The flag was decided otherwise (correct it with supersedes = the current decisionId), supersedes is not the current decision, the correction changes nothing, ' +
  'the flag is expired or not decided yet, or the Idempotency-Key was used for another request; errors names the field to change (body.supersedes carries the current decisionId)';

/** Facts shown with a flag, newest first; `timelineTruncated` says when there were more. */
const TIMELINE_LIMIT = 500;

/** Facts listed under each reason; `evidenceTotal` counts them all. */
export const REASON_EVIDENCE_LIMIT = 50;

export function registerFlagRoutes(
  app: FastifyInstance,
  options: { connection: DuckDBConnection; decisions: DecideFlagContext; riskSnapshots: RiskSnapshotHolder; featureOptions: FeatureOptions },
): void {
  app.get<{ Querystring: Static<typeof FlagQuery> }>(
    '/v1/flags',
    {
      config: { permission: 'flags:read' },
      schema: {
        tags: ['risk'],
        summary: 'Flagged customers, highest score first or oldest first (default: the open review queue), with cursor pagination',
        security: [{ apiKey: [] }],
        querystring: FlagQuery,
        response: { 200: okResponse(FlagPage, 'One page of flags; X-Next-Cursor repeats nextCursor for Arrow clients', { arrow: true }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const limit = query.limit ?? 50;
      const after = query.cursor === undefined ? undefined : decodeFlagCursor(query.cursor);
      // A cursor continues the order it was written in: read under the other order it was a position
      // before the first flag (an opening time as a score above 1, a score as 1970), and a page 2 asked
      // without the first page's sort silently restarted the queue.
      const sort = after?.sort ?? query.sort ?? 'score';
      const page = await readFlagQueue(options.connection, {
        status: query.status ?? 'open',
        limit,
        ...(query.tier === undefined ? {} : { tier: query.tier }),
        ...(query.fraudType === undefined ? {} : { fraudType: query.fraudType }),
        ...(query.customerId === undefined ? {} : { customerId: query.customerId }),
        ...(query.since === undefined ? {} : { since: query.since }),
        ...(sort === 'oldest' ? { sort: 'oldest' as const } : {}),
        ...(after === undefined ? {} : { after: { key: after.key, flagId: after.flagId } }),
      });
      const last = page.flags.at(-1);
      const nextCursor = page.hasMore && last !== undefined && page.lastKey !== undefined ? encodeFlagCursor({ key: page.lastKey, flagId: last.flagId }) : null;
      if (nextCursor !== null) reply.header('x-next-cursor', nextCursor);
      // The cursor above keeps the exact score (a rounded one could repeat or skip a flag); what is
      // shown is rounded as GET /v1/customers/{id}/risk rounds it, so the two agree.
      const flags = page.flags.map((flag) => withShownScore(flag));
      return sendTabular(request, reply, { rows: flags, rowSchema: Flag, json: { flags, nextCursor } });
    },
  );

  app.get<{ Params: Static<typeof FlagParams> }>(
    '/v1/flags/:flagId',
    {
      config: { permission: 'flags:read' },
      schema: {
        tags: ['risk'],
        summary: "A flag with its evidence: the customer's timeline (orders, returns, inspections, refunds, claims, decisions), linked accounts, and the flag's decisions (current first)",
        security: [{ apiKey: [] }],
        params: FlagParams,
        response: { 200: okResponse(FlagEvidence, 'The flag and its evidence'), ...problemResponses(...AUTHENTICATED_PROBLEMS, [404, 'No such flag']) },
      },
    },
    async (request) => {
      const flag = await readFlag(options.connection, request.params.flagId);
      if (flag === undefined) throw new RetourError('RETOUR_NOT_FOUND', `no flag ${JSON.stringify(request.params.flagId)}`);
      const [timeline, linkedAccounts] = [
        // One more than shown, to know whether older facts were left out.
        await readCustomerTimeline(options.connection, { customerId: flag.customerId, limit: TIMELINE_LIMIT + 1 }),
        await readLinkedAccounts(options.connection, flag.customerId),
      ];
      const timelineTruncated = timeline.length > TIMELINE_LIMIT;
      // Computed here, for this one customer, with the windows of the run that wrote the reasons.
      const reasonsRun = await readReasonsRun(options.connection, flag);
      const evidence = await readReasonEvidence(options.connection, {
        customerId: flag.customerId,
        asOf: reasonsRun.asOf,
        receiptsReported: reasonsRun.receiptsReported,
        codes: flag.reasons.map((reason) => reason.code),
        limit: REASON_EVIDENCE_LIMIT,
        options: options.featureOptions,
      });
      const reasons = flag.reasons.map((reason) => {
        const listed = evidence.get(reason.code);
        return { ...reason, evidence: listed?.items ?? [], evidenceTotal: listed?.total ?? 0, evidenceTruncated: listed?.truncated ?? false };
      });
      const history = await readFlagDecisions(options.connection, flag);
      // Latest first: each decision supersedes the one after it, and the first is the flag's verdict.
      const decisions = history.map((decision, index) => ({
        decisionId: decision.decisionId,
        verdict: decision.verdict,
        fraudType: decision.fraudType,
        note: decision.note,
        decidedAt: decision.decidedAt.toISOString(),
        decidedBy: decision.decidedBy,
        current: index === 0,
        supersedes: history[index + 1]?.decisionId ?? null,
      }));
      return {
        flag: { ...withShownScore(flag), reasons },
        decisions,
        reasonsAsOf: reasonsRun.asOf,
        timeline: timelineTruncated ? timeline.slice(0, TIMELINE_LIMIT) : timeline,
        timelineTruncated,
        linkedAccounts: linkedAccounts.map((account) => ({ ...account, score: account.score === null ? null : roundScore(account.score) })),
      };
    },
  );

  app.post<{ Params: Static<typeof FlagParams>; Headers: Static<typeof DecisionHeaders>; Body: Static<typeof DecisionRequest> }>(
    '/v1/flags/:flagId/decision',
    {
      config: { permission: 'flags:decide' },
      validatorCompiler: typeboxValidatorCompiler,
      schema: {
        tags: ['risk'],
        summary: 'Decide a flag (fraud, abuse or legitimate), or correct its decision with supersedes: stored, audited, published as risk.decision; idempotent with Idempotency-Key',
        security: [{ apiKey: [] }],
        params: FlagParams,
        headers: DecisionHeaders,
        body: DecisionRequest,
        response: {
          200: okResponse(Decision, 'The decision (the same one when repeated)'),
          ...problemResponses(...AUTHENTICATED_PROBLEMS, [404, 'No such flag'], [409, DECISION_CONFLICTS], 413, 415),
        },
      },
    },
    async (request, reply) => {
      if (request.principal === null) throw new RetourError('RETOUR_UNAUTHORIZED', 'send an API key as Authorization: Bearer KEY');
      if (legitimateWithFraudType(request.body)) {
        throw new RetourError('RETOUR_BAD_REQUEST', 'body.fraudType is only for the verdicts fraud and abuse; leave it out with legitimate', {
          details: { errors: [{ field: 'body.fraudType', message: 'must be absent when verdict is legitimate' }] },
        });
      }
      if (correctionWithoutNote(request.body)) {
        throw new RetourError('RETOUR_BAD_REQUEST', 'body.note is required with supersedes: say why the verdict is corrected (it stays in the audit trail and the risk.decision event)', {
          details: { errors: [{ field: 'body.note', message: 'must say why when supersedes is given' }] },
        });
      }
      const result = await decideFlag(options.decisions, {
        flagId: request.params.flagId,
        body: request.body,
        principal: request.principal,
        requestId: String(request.id),
        idempotencyKey: request.headers['idempotency-key'],
      });
      // GET /v1/customers/{id}/risk answers from snapshots of the last risk run: it must not keep naming this flag as open.
      // POST /v1/risk/score follows the verdict at once (a customer found legitimate is not held for review again on the same evidence).
      const { flagId, customerId, flagStatus, decidedAt } = result.body;
      if (flagStatus !== 'open') {
        options.riskSnapshots.noteFlagClosed({ flagId, customerId, ...(flagStatus === 'confirmed' || flagStatus === 'dismissed' ? { review: { outcome: flagStatus, decidedAt } } : {}) });
      }
      return reply.code(result.statusCode).send(result.body);
    },
  );
}
