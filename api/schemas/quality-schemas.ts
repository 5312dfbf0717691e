/** Schemas of the product-quality routes and the job list. */
import { Type } from '@sinclair/typebox';
import { JOB_NAMES, type JobName } from '../../domain/job-names.ts';
import { NullableNumber, NullableString } from './common-schemas.ts';

const IsoDate = (description: string) => Type.String({ format: 'date', description });
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });

export const RateWithInterval = Type.Object(
  { rate: NullableNumber(), low: NullableNumber({ description: 'Wilson 95% interval, lower bound' }), high: NullableNumber({ description: 'Wilson 95% interval, upper bound' }) },
  { additionalProperties: false },
);

export const QualityPeriod = Type.Object(
  {
    scope: Type.String({ description: 'product, category or seller' }),
    scopeId: Type.String(),
    periodStart: IsoDate('ISO-week Monday of the delivery cohort'),
    category: NullableString(),
    sellerId: NullableString(),
    deliveredUnits: Type.Number(),
    returnedUnits: Type.Number(),
    returnRate: RateWithInterval,
    productFaultRate: RateWithInterval,
    claimedDefectRate: RateWithInterval,
    confirmedDefectRate: RateWithInterval,
    reasonMix: Type.Record(Type.String(), Type.Number(), { description: 'Returned units per reason' }),
    mature: Type.Boolean({ description: 'The return window has passed for the whole cohort' }),
  },
  { additionalProperties: false },
);

export const QualityAlert = Type.Object(
  {
    alertId: Type.Integer(),
    productId: Type.String(),
    category: NullableString(),
    sellerId: NullableString(),
    periodStart: IsoDate('Week the change was detected in'),
    metric: Type.String({ description: 'product_fault_rate or reason_mix' }),
    baselineRate: NullableNumber({ description: 'Product-fault rate of the baseline frozen at first detection (baselineEvents / baselineUnits); null for reason_mix' }),
    currentRate: NullableNumber({
      description:
        'Product-fault rate of the latest evaluation window (currentUnits per unit of exposure: cohorts too young to be complete count by the share of returns they have had time for, so it can exceed currentUnits / deliveredUnits); null for reason_mix',
    }),
    currentLow: NullableNumber({ description: 'Wilson 95% interval of currentRate, lower bound' }),
    currentHigh: NullableNumber({ description: 'Wilson 95% interval of currentRate, upper bound' }),
    pValue: NullableNumber({ description: 'At first detection (the rates and counts are of the latest evaluation)' }),
    qValue: NullableNumber({ description: 'Benjamini–Hochberg adjusted, at first detection' }),
    status: Type.String({ description: 'new, ongoing or resolved' }),
    severity: Type.Number({ description: 'Excess units over the baseline rate' }),
    windowStart: IsoDate('First delivery day of the latest evaluation window'),
    windowEnd: IsoDate('Day after the last delivery day of the latest evaluation window'),
    deliveredUnits: Type.Number({ description: 'Units delivered in the window' }),
    currentUnits: Type.Number({ description: 'Product-fault units (product_fault_rate) or returned units (reason_mix) of the window' }),
    baselineStart: IsoDate('First delivery day of the baseline, frozen at first detection'),
    baselineEnd: IsoDate('Day after the last delivery day of the baseline'),
    baselineUnits: Type.Number({ description: 'Units delivered in the baseline' }),
    baselineEvents: Type.Number({ description: 'Product-fault units (product_fault_rate) or returned units (reason_mix) of the baseline' }),
    topReasons: Type.Array(Type.Unknown(), {
      description:
        "At most 5 reasons of the window: [{reason, units, share, baselineShare}]. For product_fault_rate the product-fault reasons with the most units (share of the window's product-fault returns, and of the baseline's); for reason_mix the reasons whose share of all returns grew most over the baseline — what moved, so the largest reasons may not be listed",
    }),
    topCommentWords: Type.Array(Type.Unknown(), {
      description: "Most frequent words of the window's return comments (of product-fault returns for product_fault_rate, of all returns for reason_mix), stop words removed, one count per comment: [{word, count}]",
    }),
    firstDetectedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    resolvedAt: NullableString({ format: 'date-time', description: 'When the rate stopped being elevated; null while open' }),
  },
  { additionalProperties: false },
);

export const QualityReportQuery = Type.Object(
  {
    category: Type.Optional(Id('Only this category')),
    seller: Type.Optional(Id('Only this seller')),
    period: Type.Optional(IsoDate('Any day of the week wanted (its ISO week; periodStart in the answer is its Monday); default the latest week with data')),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'Products listed' })),
    sort: Type.Optional(
      Type.Union([Type.Literal('faultRateLow'), Type.Literal('faultRate'), Type.Literal('faultUnits'), Type.Literal('deliveredUnits')], {
        default: 'faultRateLow',
        description:
          "Order of the products, highest first: faultRateLow (default) the lower bound of the product-fault rate's 95% Wilson interval, so a high rate on few units does not outrank one we are sure of; faultRate the rate itself; faultUnits the product-fault units; deliveredUnits the week's volume",
      }),
    ),
    minUnits: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0, description: 'Leave out products with fewer delivered units in the week' })),
  },
  { additionalProperties: false },
);

export const QualityReport = Type.Object(
  {
    periodStart: NullableString({ format: 'date', description: 'null when there is no quality data yet' }),
    totals: Type.Array(QualityPeriod, { description: 'The category or seller asked for, else every category' }),
    products: Type.Array(QualityPeriod, { description: "Products in the order asked for (sort), by default the highest lower bound of the product-fault rate's interval first" }),
    alerts: Type.Array(QualityAlert, { description: 'The 20 most severe alerts detected in the period or a later week' }),
  },
  { additionalProperties: false },
);

export const ProductParams = Type.Object({ productId: Id('Product id') }, { additionalProperties: false });
export const ProductQualityQuery = Type.Object({ since: Type.Optional(IsoDate('First week shown: the ISO week of this day and later ones')) }, { additionalProperties: false });

export const ProductQuality = Type.Object(
  {
    productId: Type.String(),
    weeks: Type.Array(QualityPeriod, { description: 'Weekly delivery cohorts, oldest first' }),
    reasonMix: Type.Record(Type.String(), Type.Number(), { description: 'Returned units per reason over the weeks shown' }),
    alerts: Type.Array(QualityAlert),
  },
  { additionalProperties: false },
);

/**
 * A position in the alert list: severity (a JavaScript number's text), period start as days since
 * 1970-01-01, alert id. Every string the pattern admits is a position, so any cursor the schema
 * accepts gets a page, never a 400 (a schema-valid value refused is what schemathesis reports).
 */
export const ALERT_CURSOR_PATTERN = '^-?[0-9]{1,21}(?:\\.[0-9]{1,20})?(?:e[-+][0-9]{1,3})?~[0-9]{1,6}~[0-9]{1,15}$';

export const AlertQuery = Type.Object(
  {
    category: Type.Optional(Id('Only this category')),
    seller: Type.Optional(Id('Only this seller')),
    product: Type.Optional(Id('Only this product')),
    status: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: ['open', 'new', 'ongoing', 'resolved'], description: 'open = new or ongoing (the alerts still to look at)' })),
    metric: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: ['product_fault_rate', 'reason_mix'] })),
    since: Type.Optional(IsoDate('Alerts detected in the ISO week of this day or later')),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(
      Type.String({
        maxLength: 80,
        pattern: ALERT_CURSOR_PATTERN,
        errorMessage: 'must be a cursor returned by a previous page',
        description: 'nextCursor of the previous page (SEVERITY~DAYS~ALERT_ID)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const AlertList = Type.Object(
  {
    alerts: Type.Array(QualityAlert),
    nextCursor: NullableString({ description: 'Pass as `cursor` for the next page (same filters); null on the last page. Arrow answers send it as X-Next-Cursor' }),
  },
  { additionalProperties: false },
);

export const JobQuery = Type.Object(
  {
    job: Type.Optional(Type.Unsafe<JobName>({ type: 'string', enum: [...JOB_NAMES], description: 'Only this job (another name is a 400, not an empty list)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);

export const JobRun = Type.Object(
  {
    runId: Type.Integer(),
    job: Type.String(),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: NullableString({ format: 'date-time' }),
    status: Type.String({ description: 'running, succeeded, skipped (nothing to do yet; see skipReason), failed, or cancelled (stopped by a shutdown)' }),
    rowsWritten: NullableNumber(),
    error: NullableString(),
    skipReason: NullableString({ description: 'Why a skipped run did nothing (e.g. too few labels to train); null otherwise' }),
    durationSeconds: NullableNumber(),
  },
  { additionalProperties: false },
);

export const JobList = Type.Object({ runs: Type.Array(JobRun) }, { additionalProperties: false });
