/**
 * The v1 event contract (CloudEvents 1.0, JSON structured mode) as TypeBox schemas. One definition
 * yields the runtime validator (validate-event.ts), the TypeScript types (Static<…>) and the JSON
 * Schema documents in docs/events/ (scripts/write-event-schemas.ts).
 */
import { Kind, Type, TypeRegistry, type Static, type TSchema } from '@sinclair/typebox';
import {
  CLAIM_KINDS,
  DISPOSITIONS,
  FRAUD_TYPES,
  INSPECTION_CONDITIONS,
  INSPECTION_FAULTS,
  REFUND_METHODS,
  RETURN_METHODS,
  RETURN_OUTCOMES,
  RETURN_REASON_CODES,
  RETURN_RESOLUTIONS,
  VERDICTS,
} from './vocabulary.ts';
import { CURRENCY_CODES, isCurrencyCode } from './currency-codes.ts';
import { dateTimeRule } from './date-time-format.ts';

/** The allowed values of each closed enumeration, as a Set (the currency list alone has over 150). */
const ENUM_VALUE_SETS = new WeakMap<object, ReadonlySet<string>>();

// A custom kind so closed enumerations stay a compact JSON Schema `enum` (TypeBox's own would be
// an anyOf of literals) while the compiled validator still checks them.
if (!TypeRegistry.Has('StringEnum')) {
  TypeRegistry.Set('StringEnum', (schema: { enum: readonly string[] }, value) => {
    if (typeof value !== 'string') return false;
    const values = ENUM_VALUE_SETS.get(schema);
    return values === undefined ? schema.enum.includes(value) : values.has(value);
  });
}

/**
 * The rule a rejection names (decode-event.ts), given the offending value, for schemas whose own
 * message would not help: an enumeration too long to list, a regular expression.
 */
export const SCHEMA_RULES = new WeakMap<object, (value: unknown) => string>();

/** `schema` whose rejections name `rule` (see SCHEMA_RULES). */
function withRule<T extends TSchema>(schema: T, rule: (value: unknown) => string): T {
  SCHEMA_RULES.set(schema, rule);
  return schema;
}

/** A closed string enumeration as a JSON Schema `enum`; TypeBox still infers the union type. */
function closedEnum<const T extends readonly string[]>(values: T, description: string, rule?: (value: unknown) => string) {
  const schema = Type.Unsafe<T[number]>({ [Kind]: 'StringEnum', type: 'string', enum: [...values], description });
  ENUM_VALUE_SETS.set(schema, new Set(values));
  return rule === undefined ? schema : withRule(schema, rule);
}

const Identifier = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });
const Timestamp = (description: string) =>
  withRule(Type.String({ format: 'date-time', description: `${description} (RFC 3339 with zone)` }), dateTimeRule);
const Quantity = Type.Integer({ minimum: 1, maximum: 100_000, description: 'Units, a positive integer' });
const MinorUnits = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 1_000_000_000_00, description: `${description}, integer minor units (cents)` });
const Currency = closedEnum(CURRENCY_CODES, 'ISO 4217 code of a currency in circulation (docs/events.md § Currencies)', (value) => {
  const rule = 'must be the ISO 4217 code of a currency in circulation';
  // "eur" or "Eur": say the spelling that would have been accepted.
  const upper = typeof value === 'string' ? value.toUpperCase() : undefined;
  return upper !== undefined && upper !== value && isCurrencyCode(upper) ? `${rule}, in upper case: "${upper}"` : `${rule}, see docs/events.md § Currencies`;
});
const Hash = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });
const FreeText = (description: string) => Type.String({ maxLength: 2000, description });

export const OrderLine = Type.Object(
  {
    lineId: Identifier('Order line id, unique within the order'),
    productId: Identifier('Product id'),
    sellerId: Type.Optional(Identifier('Seller id (marketplace)')),
    category: Type.String({ minLength: 1, maxLength: 64, description: 'Product category, e.g. apparel' }),
    quantity: Quantity,
    unitPrice: MinorUnits('Price paid per unit'),
    variant: Type.Optional(
      Type.Object(
        {
          size: Type.Optional(Type.String({ maxLength: 32 })),
          color: Type.Optional(Type.String({ maxLength: 32 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const OrderPlacedData = Type.Object(
  {
    orderId: Identifier('Order id'),
    customerId: Identifier('Pseudonymous customer id'),
    placedAt: Timestamp('When the order was placed'),
    currency: Currency,
    channel: Type.Optional(Type.String({ maxLength: 32 })),
    addressHash: Type.Optional(Hash('Hash of the normalised delivery address')),
    paymentFingerprint: Type.Optional(Hash('Fingerprint of the payment instrument')),
    deviceId: Type.Optional(Hash('Device id')),
    emailHash: Type.Optional(Hash('Hash of the e-mail address')),
    lines: Type.Array(OrderLine, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);

export const OrderDeliveredData = Type.Object(
  {
    orderId: Identifier('Order id'),
    customerId: Identifier('Customer id'),
    deliveredAt: Timestamp('When the parcel was delivered'),
    lineIds: Type.Optional(Type.Array(Identifier('Order line id'), { minItems: 1, maxItems: 500, description: 'Delivered lines; all lines when absent' })),
  },
  { additionalProperties: false },
);

export const ReturnRequestedData = Type.Object(
  {
    returnId: Identifier('Return id'),
    orderId: Identifier('Order id'),
    customerId: Identifier('Customer id'),
    requestedAt: Timestamp('When the return was requested'),
    method: closedEnum(RETURN_METHODS, 'How the item comes back'),
    resolution: closedEnum(RETURN_RESOLUTIONS, 'What the customer asked for'),
    lines: Type.Array(
      Type.Object(
        {
          lineId: Identifier('Order line id'),
          productId: Identifier('Product id'),
          quantity: Quantity,
          reason: closedEnum(RETURN_REASON_CODES, 'Return reason (two levels)'),
          comment: Type.Optional(FreeText('Customer comment')),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);

export const ReturnReceivedData = Type.Object(
  {
    returnId: Identifier('Return id'),
    receivedAt: Timestamp('When the warehouse received the parcel'),
    lines: Type.Array(
      Type.Object({ lineId: Identifier('Order line id'), quantity: Quantity }, { additionalProperties: false }),
      { minItems: 1, maxItems: 500 },
    ),
    weightGrams: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Parcel weight in grams' })),
  },
  { additionalProperties: false },
);

export const ReturnInspectedData = Type.Object(
  {
    returnId: Identifier('Return id'),
    inspectedAt: Timestamp('When the items were inspected'),
    lines: Type.Array(
      Type.Object(
        {
          lineId: Identifier('Order line id'),
          condition: closedEnum(INSPECTION_CONDITIONS, 'Condition found'),
          fault: Type.Optional(closedEnum(INSPECTION_FAULTS, 'Fault found')),
          disposition: closedEnum(DISPOSITIONS, 'What happens to the item'),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);

export const RefundIssuedData = Type.Object(
  {
    refundId: Identifier('Refund id'),
    returnId: Type.Optional(Identifier('Return id (absent for goodwill refunds)')),
    orderId: Identifier('Order id'),
    customerId: Identifier('Customer id'),
    issuedAt: Timestamp('When the refund was issued'),
    amount: MinorUnits('Refunded amount'),
    currency: Currency,
    method: closedEnum(REFUND_METHODS, 'Refund method'),
  },
  { additionalProperties: false },
);

export const ReturnClosedData = Type.Object(
  {
    returnId: Identifier('Return id'),
    closedAt: Timestamp('When the return was closed'),
    outcome: closedEnum(RETURN_OUTCOMES, 'How the return ended'),
  },
  { additionalProperties: false },
);

export const ClaimOpenedData = Type.Object(
  {
    claimId: Identifier('Claim id'),
    orderId: Identifier('Order id'),
    customerId: Identifier('Customer id'),
    openedAt: Timestamp('When the claim was opened'),
    kind: closedEnum(CLAIM_KINDS, 'Kind of claim'),
  },
  { additionalProperties: false },
);

export const ReturnFeedbackData = Type.Object(
  {
    returnId: Identifier('Return id'),
    customerId: Identifier('Customer id'),
    submittedAt: Timestamp('When the feedback was given'),
    rating: Type.Integer({ minimum: 1, maximum: 5, description: 'Rating from 1 (bad) to 5 (good)' }),
    comment: Type.Optional(FreeText('Customer comment')),
  },
  { additionalProperties: false },
);

export const RiskDecisionData = Type.Object(
  {
    decisionId: Identifier('Decision id'),
    customerId: Identifier('Customer id'),
    flagId: Type.Optional(Identifier('Flag the decision closes')),
    decidedAt: Timestamp('When the decision was made'),
    decidedBy: Type.String({ minLength: 1, maxLength: 128, description: 'Reviewer (API key name)' }),
    verdict: closedEnum(VERDICTS, 'Verdict'),
    fraudType: Type.Optional(closedEnum(FRAUD_TYPES, 'Kind of fraud or abuse')),
    note: Type.Optional(FreeText('Reviewer note')),
  },
  { additionalProperties: false },
);

/** Event type → schema of its `data`. The order is the order of the contract table in DESIGN.md. */
export const EVENT_DATA_SCHEMAS = {
  'order.placed': OrderPlacedData,
  'order.delivered': OrderDeliveredData,
  'return.requested': ReturnRequestedData,
  'return.received': ReturnReceivedData,
  'return.inspected': ReturnInspectedData,
  'refund.issued': RefundIssuedData,
  'return.closed': ReturnClosedData,
  'claim.opened': ClaimOpenedData,
  'return.feedback': ReturnFeedbackData,
  'risk.decision': RiskDecisionData,
} as const satisfies Record<string, TSchema>;

export type EventType = keyof typeof EVENT_DATA_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];
export type EventData<T extends EventType> = Static<(typeof EVENT_DATA_SCHEMAS)[T]>;

/** A media type token (RFC 6838 § 4.2), then `/`, then `json` or a subtype ending in `+json`, in any case; parameters after `;`. */
const JSON_MEDIA_TYPE = '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\\+)?[Jj][Ss][Oo][Nn][ \\t]*(;.*)?$';

/** The CloudEvents envelope; `data` is checked against its type's schema in a second step. */
export function envelopeSchema<T extends TSchema>(dataSchema: T, type?: EventType) {
  return Type.Object(
    {
      specversion: Type.Literal('1.0'),
      id: Identifier('Event id, unique across all sources (stricter than CloudEvents); re-sent events keep their id'),
      source: Type.String({ minLength: 1, maxLength: 256, description: 'Producing service' }),
      type: type === undefined ? Type.String({ minLength: 1 }) : Type.Literal(type),
      time: Timestamp('When the event happened'),
      subject: Type.Optional(Type.String({ maxLength: 256 })),
      // JSON structured mode: the data is JSON. CloudEvents' JSON format (§ 3.1) calls every media
      // type `*/json` or `*/*+json` JSON, parameters aside, and media types ignore case (RFC 2045 § 5.1).
      // (Type.Optional copies its schema, so the rule goes on the copy.)
      datacontenttype: withRule(
        Type.Optional(Type.String({ pattern: JSON_MEDIA_TYPE, description: 'A JSON media type: application/json, or any */json or */*+json, parameters allowed' })),
        () => 'must be a JSON media type: application/json, or any */json or */*+json, parameters allowed (CloudEvents JSON format § 3.1)',
      ),
      // A later version of the contract must not be read as this one: its fields may mean other things.
      dataschema: Type.Optional(Type.Literal('retour/v1')),
      data: dataSchema,
    },
    // CloudEvents extension attributes are tolerated; their values are scalars (CloudEvents 1.0 § Type System).
    {
      additionalProperties: withRule(
        Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
        () => 'an extension attribute must be a string, number or boolean (CloudEvents 1.0 type system)',
      ),
    },
  );
}

export const EventEnvelope = envelopeSchema(Type.Unknown());

export type RetourEvent = {
  [T in EventType]: Static<ReturnType<typeof envelopeSchema<(typeof EVENT_DATA_SCHEMAS)[T]>>> & { type: T; data: EventData<T> };
}[EventType];

export type RetourEventOf<T extends EventType> = Extract<RetourEvent, { type: T }>;
