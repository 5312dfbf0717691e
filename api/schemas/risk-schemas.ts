/**
 * Request and response schemas of the customer-risk routes. Field schemas come from the event
 * contract (domain/events/event-schemas.ts), so the API accepts exactly what the events carry.
 */
import { Type, type Static } from '@sinclair/typebox';
import { OrderLine, OrderPlacedData, ReturnRequestedData, RiskDecisionData } from '../../domain/events/event-schemas.ts';
import { NullableNumber, NullableString, Reason } from './common-schemas.ts';

const CustomerId = ReturnRequestedData.properties.customerId;

export const CustomerParams = Type.Object({ customerId: CustomerId }, { additionalProperties: false });

export const CustomerRisk = Type.Object(
  {
    customerId: Type.String(),
    status: Type.Union([Type.Literal('scored'), Type.Literal('unscored')], { description: "'unscored': no score could be computed; score is null, never a silent 0" }),
    score: NullableNumber({ minimum: 0, maximum: 1, description: 'Fraud risk in [0, 1]; null when unscored' }),
    tier: Type.Union([Type.Literal('low'), Type.Literal('review'), Type.Literal('high'), Type.Literal('unscored')]),
    reasons: Type.Array(Reason, { description: 'Why: the rules that fired, strongest first' }),
    modelVersion: NullableString({ description: 'Model in service when scored; null = rules only' }),
    computedAt: Type.String({ format: 'date-time' }),
    fraudTypeHint: NullableString({ description: 'The fraud type the evidence points to' }),
    openFlagId: NullableString({ description: 'The open review flag, if any' }),
    linkedCustomerIds: Type.Array(Type.String(), {
      description: "Accounts sharing an address, payment instrument or device with this one (directly); a RING_EVIDENCE reason counts the whole ring, listed by GET /v1/flags/{flagId} (linkedAccounts)",
    }),
  },
  { additionalProperties: false },
);
export type CustomerRiskBody = Static<typeof CustomerRisk>;

const ReturnLine = ReturnRequestedData.properties.lines.items;

export const ScoreRequest = Type.Object(
  {
    customerId: CustomerId,
    orderId: Type.Optional(ReturnRequestedData.properties.orderId),
    // Optional for clients written before it; without it the value's high-value check uses RETOUR_RISK_HIGH_VALUE.
    currency: Type.Optional({ ...OrderPlacedData.properties.currency, description: 'ISO 4217 code of the unit prices (the order\'s currency): selects RETOUR_RISK_HIGH_VALUE_BY_CURRENCY and how amounts are written in reasons' }),
    lines: Type.Array(
      Type.Object(
        { productId: OrderLine.properties.productId, quantity: OrderLine.properties.quantity, reason: ReturnLine.properties.reason, unitPrice: OrderLine.properties.unitPrice },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
  },
  {
    additionalProperties: false,
    description:
      "A return the customer is starting. Answered from the customer's latest risk snapshot in memory: orderId and productId are not looked up (an unknown product is scored like any other); each line's reason, quantity and unitPrice count",
    examples: [{ customerId: 'cus_9pney1r2emepqmd5', orderId: 'ord_jnnhyexh7d2scg4y83', currency: 'EUR', lines: [{ productId: 'prd_k1s3p2c0gyabae', quantity: 1, reason: 'quality.defective', unitPrice: 89900 }] }],
  },
);

export const ScoreResponse = Type.Object(
  {
    customerId: Type.String(),
    status: Type.Union([Type.Literal('scored'), Type.Literal('unscored')]),
    score: NullableNumber({ minimum: 0, maximum: 1, description: 'Risk of this return; null when the customer is unscored' }),
    decision: Type.Union([Type.Literal('approve'), Type.Literal('inspect_before_refund'), Type.Literal('review'), Type.Literal('decline')], {
      description:
        'decline: score ≥ 0.95 and at least 2 pieces of hard evidence (items inspected X_not_declared_item in 90 days, refunds in 365 days for returns that never arrived); ' +
        'review: high tier; inspect_before_refund: review tier, a valuable return from a review/high or unscored customer, or a defect claim from a customer whose defect returns are mostly not confirmed; approve otherwise',
    }),
    reasons: Type.Array(Type.Object({ code: Type.String(), text: Type.String() }, { additionalProperties: false }), { description: 'Never empty: LOW_RISK or RISK_TIER when no rule fired' }),
    modelVersion: NullableString(),
  },
  { additionalProperties: false },
);

/**
 * A note that says something: one character that is not ASCII white space. Spelled out rather than
 * `\S`, whose Unicode set differs between regex engines (JavaScript counts U+FEFF as space,
 * Python does not), so that the OpenAPI pattern and the route's check agree for every client.
 */
const NOTE_WITH_TEXT = /[^ \t\n\r\f\v]/;

export const DecisionRequest = Type.Object(
  {
    verdict: RiskDecisionData.properties.verdict,
    fraudType: RiskDecisionData.properties.fraudType,
    note: RiskDecisionData.properties.note,
    supersedes: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "A correction: the flag's current decisionId, which this decision replaces (note required). Another id is 409, so a stale screen cannot overwrite a newer decision",
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      "The reviewer's verdict; it becomes a label for the fraud model. fraudType only with the verdicts fraud and abuse. On a decided flag, send supersedes (and a note saying why) to correct the verdict",
    // Swagger UI's Try it out sends the first: a first decision (its own sample filled supersedes with "string", a 409). The second is a correction.
    // Named (x-examples becomes the media type's examples), so the list reads better than "example1".
    'x-examples': {
      decision: { summary: 'A first decision on an open flag', value: { verdict: 'fraud', fraudType: 'empty_box', note: 'parcel weighed 60 g for a phone' } },
      correction: {
        summary: "A correction: supersedes is the flag's current decisionId (GET /v1/flags/{flagId}, current: true)",
        value: { verdict: 'legitimate', note: 'the carrier weighed the wrong parcel', supersedes: 'dec_03a3dd2f92bd871e9e878176d3868fe2' },
      },
    },
    // States the rules in the OpenAPI document; TypeBox's compiler skips if/then, so the route checks them (legitimateWithFraudType, correctionWithoutNote).
    allOf: [
      { if: { properties: { verdict: { const: 'legitimate' } }, required: ['verdict'] }, then: { not: { required: ['fraudType'] } } },
      { if: { required: ['supersedes'] }, then: { required: ['note'], properties: { note: { pattern: NOTE_WITH_TEXT.source } } } },
    ],
  },
);

/** A legitimate customer committed no fraud: a fraud type next to that verdict would be a contradictory label. */
export function legitimateWithFraudType(body: Static<typeof DecisionRequest>): boolean {
  return body.verdict === 'legitimate' && body.fraudType !== undefined;
}

/** A correction says why: its note is the audit trail's only account of what was wrong. */
export function correctionWithoutNote(body: Static<typeof DecisionRequest>): boolean {
  return body.supersedes !== undefined && (body.note === undefined || !NOTE_WITH_TEXT.test(body.note));
}
export type DecisionRequestBody = Static<typeof DecisionRequest>;
