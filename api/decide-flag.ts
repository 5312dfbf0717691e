/**
 * A reviewer's decision on a flag, or the correction of one: idempotency, state checks, the stored
 * decision (with audit) and its publication as a `risk.decision` event.
 *
 * - same Idempotency-Key and same request → the stored response, unchanged;
 * - same Idempotency-Key, different request → 409 RETOUR_CONFLICT;
 * - flag already decided with the same verdict, fraud type and note as its current decision → that
 *   decision (200); with another verdict, fraud type or note → 409 RETOUR_CONFLICT naming the current
 *   decision, to send as `supersedes`; flag expired → 409;
 * - `supersedes` = the flag's current decision → a correction: a new decision that replaces it (the
 *   flag follows its verdict); `supersedes` naming another decision → 409, unless this very
 *   correction was already made (a retry: 200 with it).
 *
 * The decision and event ids derive from the flag id, and a correction's from the flag id and the
 * decision it supersedes: a retry makes no second decision, and the event that comes back through
 * ingest is an exact duplicate of the stored one, not a second label. Which decision counts is the
 * rule of store/risk/effective-decisions.ts: the latest.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { decodeEvent } from '../domain/events/decode-event.ts';
import { RetourError } from '../domain/errors/retour-error.ts';
import { readFlag } from '../store/api/read-flag-queue.ts';
import {
  isDecisionEventPublished,
  readFlagDecision,
  readFlagDecisions,
  readIdempotentResponse,
  recordReviewDecision,
  type StoredFlagDecision,
} from '../store/api/record-review-decision.ts';
import { applyRecordedDecisions } from '../store/risk/risk-flags.ts';
import { retryWriteConflicts } from '../store/retry-write-conflicts.ts';
import type { ApiPrincipal } from './api-keyring.ts';
import type { DecisionOutbox } from './decision-outbox.ts';
import type { SerialQueue } from './serial-queue.ts';
import type { DecisionRequestBody } from './schemas/risk-schemas.ts';

export const DECISION_ROUTE = 'POST /v1/flags/:flagId/decision';

export interface DecisionResponse {
  decisionId: string;
  flagId: string;
  customerId: string;
  verdict: string;
  fraudType: string | null;
  note: string | null;
  decidedAt: string;
  decidedBy: string;
  flagStatus: string;
  /** The decision a correction replaced; null for a first decision. */
  supersedes: string | null;
  published: boolean;
}

export interface DecideFlagContext {
  connection: DuckDBConnection;
  serial: SerialQueue;
  outbox: DecisionOutbox;
  topic: string;
  now: () => Date;
}

export interface DecideFlagRequest {
  flagId: string;
  body: DecisionRequestBody;
  principal: ApiPrincipal;
  requestId: string;
  idempotencyKey: string | undefined;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Stable ids of the first decision on a flag. */
export function decisionIdsForFlag(flagId: string): { decisionId: string; eventId: string } {
  return idsOf(`risk.decision\u0000${flagId}`);
}

/** Stable ids of the decision that corrects `supersededDecisionId` on a flag: a retried correction makes no second one. */
export function decisionIdsForCorrection(flagId: string, supersededDecisionId: string): { decisionId: string; eventId: string } {
  return idsOf(`risk.decision\u0000${flagId}\u0000${supersededDecisionId}`);
}

function idsOf(seed: string): { decisionId: string; eventId: string } {
  const digest = sha256(seed).slice(0, 32);
  return { decisionId: `dec_${digest}`, eventId: `evt_dec_${digest}` };
}

function requestHash(request: DecideFlagRequest): string {
  const { verdict, fraudType, note, supersedes } = request.body;
  // Without supersedes the hash is the one stored before corrections existed, so old keys still replay.
  const fields: unknown[] = [request.flagId, verdict, fraudType ?? null, note ?? null];
  if (supersedes !== undefined) fields.push(supersedes);
  return sha256(JSON.stringify(fields));
}

/** A 409 whose `errors` name what to change, so a client need not parse the detail (e.g. for the current decisionId). */
function conflict(detail: string, field: string, message: string): RetourError {
  return new RetourError('RETOUR_CONFLICT', detail, { details: { errors: [{ field, message }] } });
}

function describeDecision(decision: StoredFlagDecision): string {
  return `${decision.verdict}${decision.fraudType === null ? '' : ` (${decision.fraudType})`} by ${decision.decidedBy} at ${decision.decidedAt.toISOString()} (decision ${decision.decisionId})`;
}

function sameContent(decision: StoredFlagDecision, body: DecisionRequestBody): boolean {
  return decision.verdict === body.verdict && decision.fraudType === (body.fraudType ?? null) && decision.note === (body.note ?? null);
}

function responseOf(decision: StoredFlagDecision, flag: { flagId: string; customerId: string; status: string }, supersedes: string | null, published: boolean): DecisionResponse {
  return {
    decisionId: decision.decisionId,
    flagId: flag.flagId,
    customerId: flag.customerId,
    verdict: decision.verdict,
    fraudType: decision.fraudType,
    note: decision.note,
    decidedAt: decision.decidedAt.toISOString(),
    decidedBy: decision.decidedBy,
    flagStatus: flag.status,
    supersedes,
    published,
  };
}

export async function decideFlag(context: DecideFlagContext, request: DecideFlagRequest): Promise<{ statusCode: number; body: DecisionResponse }> {
  const hash = requestHash(request);
  const supersedes = request.body.supersedes;
  // On a write-write conflict (ingest applying another tool's decision to this flag, the risk job
  // refreshing it) the whole decision is tried again: it re-reads the flag, so a flag the other
  // writer closed is answered 409 like any other flag decided meanwhile, never a 500.
  const stored = await context.serial(() => retryWriteConflicts(async () => {
    if (request.idempotencyKey !== undefined) {
      const previous = await readIdempotentResponse(context.connection, { keyId: request.principal.keyId, idempotencyKey: request.idempotencyKey, route: DECISION_ROUTE });
      if (previous !== undefined) {
        if (previous.requestHash !== hash) {
          throw conflict(`Idempotency-Key ${JSON.stringify(request.idempotencyKey)} was used for a different request; use a new key for a new decision`, 'headers.idempotency-key', 'was used for a different request; use a new key for a new decision');
        }
        // Responses stored before corrections existed have no supersedes.
        const body = JSON.parse(previous.response) as Omit<DecisionResponse, 'supersedes'> & { supersedes?: string | null };
        const eventId = (await readFlagDecision(context.connection, body.decisionId))?.eventId ?? decisionIdsForFlag(body.flagId).eventId;
        // The stored response says what was true then; the event may have been published since.
        return { statusCode: previous.statusCode, body: { ...body, supersedes: body.supersedes ?? null, published: await isDecisionEventPublished(context.connection, eventId) }, replay: true };
      }
    }
    // Decisions ingest stored (another replica or tool) count first: a reviewer corrects the latest one.
    await applyRecordedDecisions(context.connection, { flagId: request.flagId });
    const flag = await readFlag(context.connection, request.flagId);
    if (flag === undefined) throw new RetourError('RETOUR_NOT_FOUND', `no flag ${JSON.stringify(request.flagId)}`);
    const current = flag.status === 'open' || flag.decisionId === null ? undefined : await readFlagDecision(context.connection, flag.decisionId);
    if (flag.status !== 'open' && current === undefined) {
      throw conflict(`flag ${request.flagId} is ${flag.status} without a decision; it can no longer be decided`, 'params.flagId', `is ${flag.status} without a decision; it can no longer be decided`);
    }
    if (supersedes !== undefined && current === undefined) {
      throw conflict(`flag ${request.flagId} is not decided yet, so decision ${supersedes} cannot be corrected; decide it without supersedes`, 'body.supersedes', 'must be left out: the flag is not decided yet');
    }
    if (current !== undefined) {
      const correctionId = supersedes === undefined ? undefined : decisionIdsForCorrection(flag.flagId, supersedes).decisionId;
      // A repeat of the current decision — or of the correction that made it current — is answered with it.
      const isRepeat = sameContent(current, request.body) && (supersedes === undefined || correctionId === current.decisionId);
      if (isRepeat) {
        const previous = supersedes ?? (await supersededBy(context.connection, flag, current.decisionId));
        return { statusCode: 200, body: responseOf(current, flag, previous, await isDecisionEventPublished(context.connection, current.eventId)), replay: true };
      }
      if (supersedes === undefined) {
        throw conflict(
          `flag ${request.flagId} was already decided ${describeDecision(current)}; got ${request.body.verdict}${request.body.fraudType === undefined ? '' : ` (${request.body.fraudType})`}${sameVerdictAndType(current, request.body) ? ' with another note' : ''}. ` +
            `To correct it, send the decision again with "supersedes": ${JSON.stringify(current.decisionId)} and a note saying why`,
          'body.supersedes',
          `must be ${current.decisionId}, the current decision, to change its verdict, fraud type or note (with a note saying why)`,
        );
      }
      if (supersedes !== current.decisionId) {
        throw conflict(
          `supersedes names ${supersedes}, but the current decision on flag ${request.flagId} is ${describeDecision(current)}; read the flag again and correct that one`,
          'body.supersedes',
          `must be ${current.decisionId}, the current decision (read the flag again)`,
        );
      }
      if (sameContent(current, request.body)) {
        throw conflict(`the correction repeats decision ${current.decisionId} (same verdict, fraud type and note): there is nothing to correct`, 'body', `repeats decision ${current.decisionId} (same verdict, fraud type and note): nothing to correct`);
      }
    }
    const { decisionId, eventId } = current === undefined ? decisionIdsForFlag(flag.flagId) : decisionIdsForCorrection(flag.flagId, current.decisionId);
    // Latest wins by decidedAt: a correction must come after what it corrects, even on a lagging clock.
    const decidedAt = current === undefined ? context.now() : new Date(Math.max(context.now().getTime(), current.decidedAt.getTime() + 1));
    const data: Record<string, unknown> = {
      decisionId,
      customerId: flag.customerId,
      flagId: flag.flagId,
      decidedAt: decidedAt.toISOString(),
      decidedBy: request.principal.name,
      verdict: request.body.verdict,
    };
    if (request.body.fraudType !== undefined) data['fraudType'] = request.body.fraudType;
    if (request.body.note !== undefined) data['note'] = request.body.note;
    // A correction is an ordinary risk.decision (the contract has no field for what it supersedes, and
    // data admits no other): consumers apply "latest decidedAt wins" (docs/risk.md § Corrected verdicts).
    const payload = JSON.stringify({
      specversion: '1.0',
      id: eventId,
      source: 'retour-api',
      type: 'risk.decision',
      time: decidedAt.toISOString(),
      subject: flag.flagId,
      datacontenttype: 'application/json',
      dataschema: 'retour/v1',
      data,
    });
    const decoded = decodeEvent(payload);
    if (!decoded.ok) throw new RetourError('RETOUR_BAD_REQUEST', `the decision does not make a valid risk.decision event: ${decoded.rejection.message}`);
    const flagStatus = request.body.verdict === 'legitimate' ? 'dismissed' : 'confirmed';
    const decision: StoredFlagDecision = {
      decisionId,
      eventId,
      verdict: request.body.verdict,
      fraudType: request.body.fraudType ?? null,
      note: request.body.note ?? null,
      decidedAt,
      decidedBy: request.principal.name,
    };
    const body = responseOf(decision, { ...flag, status: flagStatus }, current?.decisionId ?? null, false);
    const recorded = await recordReviewDecision(context.connection, {
      flagId: flag.flagId,
      customerId: flag.customerId,
      decisionId,
      eventId,
      payload,
      topic: context.topic,
      decidedAt,
      decidedBy: request.principal.name,
      verdict: decision.verdict,
      fraudType: decision.fraudType,
      note: decision.note,
      flagStatus,
      ...(current === undefined ? {} : { supersedes: current }),
      audit: { keyId: request.principal.keyId, keyName: request.principal.name, role: request.principal.role, requestId: request.requestId },
      ...(request.idempotencyKey === undefined
        ? {}
        : { idempotency: { key: request.idempotencyKey, route: DECISION_ROUTE, requestHash: hash, statusCode: 200, response: JSON.stringify(body) } }),
    });
    if (!recorded) throw new RetourError('RETOUR_CONFLICT', `flag ${request.flagId} was ${current === undefined ? 'closed' : 'decided again'} by another request; read it again`);
    return { statusCode: 200, body, replay: false, eventId };
  }));
  if (stored.replay || !('eventId' in stored)) return { statusCode: stored.statusCode, body: stored.body };
  const published = await context.outbox.flush();
  return { statusCode: stored.statusCode, body: { ...stored.body, published: published.has(stored.eventId as string) } };
}

/** The decision `decisionId` replaced: the one after it in the flag's history, latest first. */
async function supersededBy(connection: DuckDBConnection, flag: { flagId: string; decisionId: string | null }, decisionId: string): Promise<string | null> {
  const history = await readFlagDecisions(connection, flag);
  const index = history.findIndex((decision) => decision.decisionId === decisionId);
  return index < 0 ? null : (history[index + 1]?.decisionId ?? null);
}

function sameVerdictAndType(decision: StoredFlagDecision, body: DecisionRequestBody): boolean {
  return decision.verdict === body.verdict && decision.fraudType === (body.fraudType ?? null);
}
