/** Schemas of the flag queue, flag evidence and review decisions. */
import { Type } from '@sinclair/typebox';
import { FRAUD_TYPES } from '../../domain/events/vocabulary.ts';
import { NullableNumber, NullableString, Reason } from './common-schemas.ts';

/**
 * `SCORE~FLAG_ID` with a score in [0, 1] written as JavaScript writes numbers (`0.93`, `1`, `1.5e-7`),
 * or `OPENED_MICROS~FLAG_ID` (sort=oldest): every string matching it decodes (decodeFlagCursor in
 * api/routes/flag-routes.ts); a cursor continues the order it was written in.
 */
export const FLAG_CURSOR_PATTERN = '^(?:0(?:\\.[0-9]{1,30})?|1(?:\\.0{1,30})?|[1-9](?:\\.[0-9]{1,30})?e-[0-9]{1,3}|[1-9][0-9]{0,16})~[\\s\\S]{1,128}$';

export const FLAG_STATUSES = ['open', 'confirmed', 'dismissed', 'expired'] as const;
export const FLAG_TIERS = ['low', 'review', 'high'] as const;

const enumString = (values: readonly string[], description: string) => Type.Unsafe<string>({ type: 'string', enum: [...values], description });

export const FlagParams = Type.Object({ flagId: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });

export const FlagQuery = Type.Object(
  {
    tier: Type.Optional(enumString(FLAG_TIERS, 'Only flags of this tier')),
    status: Type.Optional(enumString(FLAG_STATUSES, 'Only flags in this status (default open; the review queue)')),
    fraudType: Type.Optional(enumString(FRAUD_TYPES, 'Only flags of this fraud type')),
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "Only this customer's flags (with status, e.g. the ones decided before)" })),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Only flags opened at or after this time' })),
    sort: Type.Optional(enumString(['score', 'oldest'] as const, "Order: score (default) highest first; oldest first opened first, to work the queue by age. Pass the same sort with each page's cursor")),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size' })),
    cursor: Type.Optional(Type.String({ maxLength: 200, pattern: FLAG_CURSOR_PATTERN, errorMessage: 'must be a cursor returned by a previous page', description: 'nextCursor of the previous page (SCORE~FLAG_ID, or OPENED_MICROS~FLAG_ID with sort=oldest), a page continues the order its cursor was written in, whatever sort says (only the cursors 0~… and 1~… fit both and follow sort)' })),
  },
  { additionalProperties: false },
);

export const Flag = Type.Object(
  {
    flagId: Type.String(),
    customerId: Type.String(),
    status: enumString(FLAG_STATUSES, 'Flag status'),
    tier: Type.String(),
    score: Type.Number({ description: 'Risk score when the flag was last refreshed, rounded to 4 decimals as GET /v1/customers/{customerId}/risk rounds it' }),
    fraudType: NullableString(),
    reasons: Type.Array(Reason),
    openedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    closedAt: NullableString({ format: 'date-time' }),
    decisionId: NullableString(),
    modelVersion: NullableString(),
  },
  { additionalProperties: false },
);

export const FlagPage = Type.Object(
  {
    flags: Type.Array(Flag),
    nextCursor: NullableString({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  },
  { additionalProperties: false },
);

export const TimelineEntry = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    kind: Type.String({ description: 'Event type: order.placed, return.requested, return.inspected, refund.issued, claim.opened, risk.decision, …' }),
    id: Type.String({ description: 'Order, return, refund, claim or decision id' }),
    details: Type.Record(Type.String(), Type.Unknown(), {
      description:
        'What the fact says, by kind (absent fields are unknown; amounts in minor units of the currency): ' +
        'order.placed {currency, channel, lines, value}; order.delivered {lineId} (none: the whole order); ' +
        'return.requested {orderId, method, resolution, lines: [{productId, quantity, reason}]}; return.received {units, weightGrams}; ' +
        'return.inspected {lines: [{lineId, condition, fault, disposition}]}; refund.issued {returnId, orderId, amount, currency, method}; ' +
        'return.closed {outcome}; claim.opened {orderId, kind}; return.feedback {rating, comment}; risk.decision {flagId, verdict, fraudType, decidedBy, note}',
    }),
  },
  { additionalProperties: false },
);

export const LinkedAccount = Type.Object(
  {
    customerId: Type.String(),
    via: Type.Array(Type.String(), { description: 'Attributes shared with the flagged customer: address, payment, device; empty for a ring member linked only through other members' }),
    ringId: Type.String(),
    score: NullableNumber({ description: "The account's latest fraud score, rounded as GET /v1/customers/{id}/risk rounds it; null when it was never scored or could not be" }),
    tier: NullableString({ description: 'Its latest tier (low, review, high); null when it was never scored or could not be' }),
    openFlagId: NullableString({ description: 'Its open flag, if any (GET /v1/flags/{flagId})' }),
  },
  { additionalProperties: false },
);

export const ReasonEvidenceItem = Type.Object(
  {
    kind: Type.String({ description: "The timeline kind of the fact: return.inspected, return.received, return.requested, refund.issued, claim.opened" }),
    id: Type.String({ description: 'Its timeline id (return, refund or claim id)' }),
    at: Type.String({ format: 'date-time', description: 'When it happened (the inspection, the parcel\'s arrival, the request, the refund, the claim)' }),
    lineId: Type.Optional(Type.String({ description: 'The return line, for evidence counted per line (inspections, end-of-window returns)' })),
    customerId: Type.Optional(Type.String({ description: 'Whose fact it is (RING_EVIDENCE only: the flagged customer or a ring mate)' })),
  },
  { additionalProperties: false },
);

export const ReasonWithEvidence = Type.Object(
  {
    code: Type.String(),
    text: Type.String(),
    weight: Type.Number({ description: 'Strength of the evidence in [0, 1]' }),
    evidence: Type.Array(ReasonEvidenceItem, { maxItems: 50, description: 'The facts the reason counts, newest first (at most 50); empty for reasons without listable facts (MODEL_PATTERN)' }),
    evidenceTotal: Type.Integer({ minimum: 0, description: 'How many facts the reason counts, listed or not' }),
    evidenceTruncated: Type.Boolean({ description: 'true when evidenceTotal > 50 and the oldest are not listed' }),
  },
  { additionalProperties: false },
);

/** A flag as GET /v1/flags/{flagId} shows it: its reasons carry their evidence. */
export const FlagWithReasonEvidence = Type.Object(
  { ...Flag.properties, reasons: Type.Array(ReasonWithEvidence) },
  { additionalProperties: false },
);

export const FlagDecision = Type.Object(
  {
    decisionId: Type.String(),
    verdict: Type.String(),
    fraudType: NullableString(),
    note: NullableString(),
    decidedAt: Type.String({ format: 'date-time' }),
    decidedBy: Type.String({ description: 'Name of the API key (or the reviewer another publisher named)' }),
    current: Type.Boolean({ description: "true for the decision that counts: the latest (by decidedAt, ties by the greater decisionId); it is the flag's verdict and its training label" }),
    supersedes: NullableString({ description: 'The decision this one replaced: the one before it in that order (null for the first)' }),
  },
  { additionalProperties: false },
);

export const FlagEvidence = Type.Object(
  {
    flag: FlagWithReasonEvidence,
    decisions: Type.Array(FlagDecision, { description: "The flag's decisions, the current one first; a correction adds one, nothing is removed. Empty while the flag is undecided" }),
    reasonsAsOf: Type.String({ format: 'date-time', description: 'The time the reasons were computed: the end of the windows their evidence is counted in (see docs/risk.md § Evidence behind a reason)' }),
    timeline: Type.Array(TimelineEntry, { description: "The customer's facts, newest first (at most 500)" }),
    timelineTruncated: Type.Boolean({ description: 'true when the customer has more than 500 facts and the oldest are not shown' }),
    linkedAccounts: Type.Array(LinkedAccount, { description: 'The accounts of the customer\'s ring: those sharing an attribute with it first, then the members linked through them' }),
  },
  { additionalProperties: false },
);

export const DecisionHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Retries with the same key and body get the same response' })),
});

export const Decision = Type.Object(
  {
    decisionId: Type.String(),
    flagId: Type.String(),
    customerId: Type.String(),
    verdict: Type.String(),
    fraudType: NullableString(),
    note: NullableString(),
    decidedAt: Type.String({ format: 'date-time' }),
    decidedBy: Type.String({ description: 'Name of the API key that decided' }),
    flagStatus: enumString(FLAG_STATUSES, 'The flag after the decision'),
    supersedes: NullableString({ description: 'For a correction, the decision it replaced; null for a first decision' }),
    published: Type.Boolean({ description: `Whether the risk.decision event was acknowledged by Kafka (false without Kafka, or while it is down; it is retried)` }),
  },
  { additionalProperties: false },
);
