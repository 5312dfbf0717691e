/**
 * A reviewer's decision on a flag: idempotency, state checks, the stored decision (with audit) and
 * its publication as a `risk.decision` event.
 *
 * - same Idempotency-Key and same request → the stored response, unchanged;
 * - same Idempotency-Key, different request → 409 RETOUR_CONFLICT;
 * - flag already decided with the same verdict, fraud type and note → the existing decision (200);
 *   with another verdict, fraud type or note → 409 RETOUR_CONFLICT (decisions are final); flag expired → 409.
 *
 * The decision and event ids derive from the flag id: a flag is decided once, and the event that
 * comes back through ingest is an exact duplicate of the stored one, not a second label.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { decodeEvent } from '../domain/events/decode-event.ts';
import { RetourError } from '../domain/errors/retour-error.ts';
import { readFlag } from '../store/api/read-flag-queue.ts';
import { isDecisionEventPublished, readFlagDecision, readIdempotentResponse, recordReviewDecision } from '../store/api/record-review-decision.ts';
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

/** Stable ids of the decision on a flag. */
export function decisionIdsForFlag(flagId: string): { decisionId: string; eventId: string } {
  const digest = sha256(`risk.decision\u0000${flagId}`).slice(0, 32);
  return { decisionId: `dec_${digest}`, eventId: `evt_dec_${digest}` };
}

function requestHash(request: DecideFlagRequest): string {
  const { verdict, fraudType, note } = request.body;
  return sha256(JSON.stringify([request.flagId, verdict, fraudType ?? null, note ?? null]));
}

export async function decideFlag(context: DecideFlagContext, request: DecideFlagRequest): Promise<{ statusCode: number; body: DecisionResponse }> {
  const hash = requestHash(request);
  const stored = await context.serial(async () => {
    if (request.idempotencyKey !== undefined) {
      const previous = await readIdempotentResponse(context.connection, { keyId: request.principal.keyId, idempotencyKey: request.idempotencyKey, route: DECISION_ROUTE });
      if (previous !== undefined) {
        if (previous.requestHash !== hash) {
          throw new RetourError('RETOUR_CONFLICT', `Idempotency-Key ${JSON.stringify(request.idempotencyKey)} was used for a different request; use a new key for a new decision`);
        }
        const body = JSON.parse(previous.response) as DecisionResponse;
        // The stored response says what was true then; the event may have been published since.
        return { statusCode: previous.statusCode, body: { ...body, published: await isDecisionEventPublished(context.connection, decisionIdsForFlag(body.flagId).eventId) }, replay: true };
      }
    }
    const flag = await readFlag(context.connection, request.flagId);
    if (flag === undefined) throw new RetourError('RETOUR_NOT_FOUND', `no flag ${JSON.stringify(request.flagId)}`);
    if (flag.status !== 'open') {
      const existing = flag.decisionId === null ? undefined : await readFlagDecision(context.connection, flag.decisionId);
      if (existing === undefined) throw new RetourError('RETOUR_CONFLICT', `flag ${request.flagId} is ${flag.status} without a decision; it can no longer be decided`);
      // Only a repeat of the stored decision is answered 200: another fraud type or note used to get the
      // old decision back with 200, so the reviewer believed a correction had been recorded.
      const sameDecision = existing.verdict === request.body.verdict && existing.fraudType === (request.body.fraudType ?? null) && existing.note === (request.body.note ?? null);
      if (!sameDecision) {
        const stored = `${existing.verdict}${existing.fraudType === null ? '' : ` (${existing.fraudType})`}`;
        const asked = `${request.body.verdict}${request.body.fraudType === undefined ? '' : ` (${request.body.fraudType})`}`;
        const difference = existing.verdict === request.body.verdict && existing.fraudType === (request.body.fraudType ?? null) ? `${asked} with another note` : asked;
        throw new RetourError(
          'RETOUR_CONFLICT',
          `flag ${request.flagId} was already decided ${stored} by ${existing.decidedBy} at ${existing.decidedAt.toISOString()}; got ${difference}. Decisions are final: they cannot be changed or undone`,
        );
      }
      const body: DecisionResponse = {
        decisionId: existing.decisionId,
        flagId: flag.flagId,
        customerId: flag.customerId,
        verdict: existing.verdict,
        fraudType: existing.fraudType,
        note: existing.note,
        decidedAt: existing.decidedAt.toISOString(),
        decidedBy: existing.decidedBy,
        flagStatus: flag.status,
        published: await isDecisionEventPublished(context.connection, existing.eventId),
      };
      return { statusCode: 200, body, replay: true };
    }
    const { decisionId, eventId } = decisionIdsForFlag(flag.flagId);
    const decidedAt = context.now();
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
    const body: DecisionResponse = {
      decisionId,
      flagId: flag.flagId,
      customerId: flag.customerId,
      verdict: request.body.verdict,
      fraudType: request.body.fraudType ?? null,
      note: request.body.note ?? null,
      decidedAt: decidedAt.toISOString(),
      decidedBy: request.principal.name,
      flagStatus,
      published: false,
    };
    const recorded = await recordReviewDecision(context.connection, {
      flagId: flag.flagId,
      customerId: flag.customerId,
      decisionId,
      eventId,
      payload,
      topic: context.topic,
      decidedAt,
      decidedBy: request.principal.name,
      verdict: request.body.verdict,
      fraudType: request.body.fraudType ?? null,
      note: request.body.note ?? null,
      flagStatus,
      audit: { keyId: request.principal.keyId, keyName: request.principal.name, role: request.principal.role, requestId: request.requestId },
      ...(request.idempotencyKey === undefined
        ? {}
        : { idempotency: { key: request.idempotencyKey, route: DECISION_ROUTE, requestHash: hash, statusCode: 200, response: JSON.stringify(body) } }),
    });
    if (!recorded) throw new RetourError('RETOUR_CONFLICT', `flag ${request.flagId} was closed by another request; read it again`);
    return { statusCode: 200, body, replay: false, eventId };
  });
  if (stored.replay || !('eventId' in stored)) return { statusCode: stored.statusCode, body: stored.body };
  const published = await context.outbox.flush();
  return { statusCode: stored.statusCode, body: { ...stored.body, published: published.has(stored.eventId as string) } };
}
