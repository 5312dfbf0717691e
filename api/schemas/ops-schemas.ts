/** Schemas of the returns-operations routes (/v1/ops/…). */
import { Type } from '@sinclair/typebox';
import { NullableNumber, NullableString } from './common-schemas.ts';

const IsoDate = (description: string) => Type.String({ format: 'date', description });
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });

export const OPS_STAGE_NAMES = ['requested_to_received', 'received_to_inspected', 'inspected_to_refunded', 'refunded_to_closed', 'received_to_refunded', 'requested_to_closed'] as const;
export const OPS_WAITING_STAGE_NAMES = ['awaiting_receipt', 'awaiting_inspection', 'awaiting_refund', 'awaiting_close'] as const;
export const REFUND_EXCEPTION_KINDS = ['over_refund', 'duplicate_refund', 'missing_refund', 'late_refund', 'refund_without_receipt', 'outside_window'] as const;

const literals = <T extends readonly string[]>(values: T, description: string) => Type.Union(values.map((value) => Type.Literal(value)), { description });

export const StageTimeQuery = Type.Object(
  {
    dimension: Type.Optional(literals(['category', 'seller', 'method', 'all'] as const, 'Breakdown (default all)')),
    value: Type.Optional(Id('Only this category, seller or method')),
    stage: Type.Optional(literals(OPS_STAGE_NAMES, 'Only this stage')),
    weekly: Type.Optional(Type.Boolean({ default: true, description: 'Per ISO week the stage ended (default), or over all weeks' })),
    from: Type.Optional(IsoDate('Weeks whose Monday is on or after this date')),
    to: Type.Optional(IsoDate('Weeks whose Monday is on or before this date')),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
  },
  { additionalProperties: false },
);

export const StagePercentile = Type.Object(
  {
    dimension: Type.String(),
    dimensionValue: Type.String(),
    week: NullableString({ format: 'date', description: 'ISO-week Monday the stage ended in; null = all weeks' }),
    stage: Type.String(),
    count: Type.Number({ description: 'Returns that completed the stage' }),
    p50Hours: Type.Number(),
    p90Hours: Type.Number(),
    p99Hours: Type.Number(),
  },
  { additionalProperties: false },
);

export const StageTimeReport = Type.Object({ percentiles: Type.Array(StagePercentile) }, { additionalProperties: false });

export const StuckQuery = Type.Object(
  {
    stage: Type.Optional(literals(OPS_WAITING_STAGE_NAMES, 'Only returns waiting in this stage')),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 100 })),
  },
  { additionalProperties: false },
);

export const StuckReturn = Type.Object(
  {
    returnId: Type.String(),
    stage: Type.String(),
    since: Type.String({ format: 'date-time' }),
    ageHours: Type.Number(),
    limitHours: Type.Number(),
    customerId: Type.String(),
    category: NullableString(),
    sellerId: NullableString(),
    method: Type.String(),
  },
  { additionalProperties: false },
);

export const StuckList = Type.Object({ stuck: Type.Array(StuckReturn, { description: 'Oldest first' }) }, { additionalProperties: false });

export const RefundExceptionQuery = Type.Object(
  {
    kind: Type.Optional(literals(REFUND_EXCEPTION_KINDS, 'Only this kind')),
    status: Type.Optional(literals(['open', 'resolved'] as const, 'Only this status (default: both)')),
    category: Type.Optional(Id('Only this category')),
    seller: Type.Optional(Id('Only this seller')),
    customer: Type.Optional(Id('Only this customer')),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Detected at or after' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[0-9]{1,15}~[\\x21-\\x7e]{1,128}$', errorMessage: 'must be a cursor returned by a previous page', description: 'nextCursor of the previous page (DETECTED_AT_MILLIS~EXCEPTION_ID)' })),
  },
  { additionalProperties: false },
);

export const RefundException = Type.Object(
  {
    exceptionId: Type.String(),
    returnId: Type.String(),
    kind: Type.String(),
    detectedAt: Type.String({ format: 'date-time', description: 'The ops run that first saw it' }),
    observedAt: NullableString({ format: 'date-time', description: 'When the facts made it true' }),
    amount: NullableNumber({ description: 'Minor units' }),
    expectedAmount: NullableNumber({ description: 'Minor units' }),
    currency: NullableString(),
    evidence: Type.Unknown({ description: 'Kind-specific evidence, frozen at detection' }),
    status: Type.String({ description: 'open or resolved' }),
    resolvedAt: NullableString({ format: 'date-time' }),
    resolution: NullableString({ description: 'What settled it, e.g. refunded_late, receipt_arrived' }),
    customerId: NullableString(),
    category: NullableString(),
    sellerId: NullableString(),
  },
  { additionalProperties: false },
);

export const RefundExceptionPage = Type.Object(
  { exceptions: Type.Array(RefundException, { description: 'Newest detections first' }), nextCursor: NullableString({ description: 'null on the last page' }) },
  { additionalProperties: false },
);

export const FeedbackQuery = Type.Object(
  { dimension: Type.Optional(literals(['category', 'seller', 'method', 'stage', 'all'] as const, 'Only this breakdown')) },
  { additionalProperties: false },
);

export const FeedbackSummaryRow = Type.Object(
  {
    dimension: Type.String(),
    dimensionValue: Type.String(),
    responses: Type.Number(),
    meanRating: Type.Number(),
    lowRatingShare: Type.Number({ description: 'Share of ratings 1–2' }),
    comments: Type.Number(),
    recentComments: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

export const FeedbackReport = Type.Object(
  {
    summary: Type.Array(FeedbackSummaryRow),
    links: Type.Array(
      Type.Object(
        {
          factor: Type.String({ description: 'slow_stage (hours above the stage p90) or refund_exception' }),
          factorValue: Type.String(),
          withResponses: Type.Number(),
          withMeanRating: NullableNumber(),
          withoutResponses: Type.Number(),
          withoutMeanRating: NullableNumber(),
          ratingDifference: NullableNumber({ description: 'with − without' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
