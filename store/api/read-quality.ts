/**
 * Reads of the quality job's tables (migration 003) for the API: the report of one week, a product's
 * weekly series, and alerts ordered by severity.
 */
import { BIGINT, DATE, DOUBLE, DuckDBDateValue, type DuckDBConnection } from '@duckdb/node-api';
import { ALERT_COLUMNS, rowToAlert, type QualityAlert } from '../quality/quality-alert-view.ts';
import { nullableNumber } from '../quality/quality-alerts-store.ts';
import { toIsoDate } from '../to-iso-time.ts';

export type { QualityAlert } from '../quality/quality-alert-view.ts';

export interface RateWithInterval {
  rate: number | null;
  low: number | null;
  high: number | null;
}

export interface QualityPeriodRow {
  scope: string;
  scopeId: string;
  periodStart: string;
  category: string | null;
  sellerId: string | null;
  deliveredUnits: number;
  returnedUnits: number;
  returnRate: RateWithInterval;
  productFaultRate: RateWithInterval;
  claimedDefectRate: RateWithInterval;
  confirmedDefectRate: RateWithInterval;
  reasonMix: Record<string, number>;
  mature: boolean;
}


const rate = (row: Record<string, unknown>, name: string): RateWithInterval => ({ rate: nullableNumber(row[name]), low: nullableNumber(row[`${name}_low`]), high: nullableNumber(row[`${name}_high`]) });

function rowToPeriod(row: Record<string, unknown>): QualityPeriodRow {
  return {
    scope: String(row['scope']),
    scopeId: String(row['scope_id']),
    periodStart: toIsoDate(row['period_start'])!,
    category: row['category'] === null ? null : String(row['category']),
    sellerId: row['seller_id'] === null ? null : String(row['seller_id']),
    deliveredUnits: Number(row['delivered_units']),
    returnedUnits: Number(row['returned_units']),
    returnRate: rate(row, 'return_rate'),
    productFaultRate: rate(row, 'product_fault_rate'),
    claimedDefectRate: rate(row, 'claimed_defect_rate'),
    confirmedDefectRate: rate(row, 'confirmed_defect_rate'),
    reasonMix: JSON.parse(String(row['reason_mix'])) as Record<string, number>,
    mature: Boolean(row['mature']),
  };
}


const PERIOD_COLUMNS = `scope, scope_id, period_start, category, seller_id, delivered_units::DOUBLE AS delivered_units, returned_units::DOUBLE AS returned_units,
  return_rate, return_rate_low, return_rate_high, product_fault_rate, product_fault_rate_low, product_fault_rate_high,
  claimed_defect_rate, claimed_defect_rate_low, claimed_defect_rate_high, confirmed_defect_rate, confirmed_defect_rate_low, confirmed_defect_rate_high,
  reason_mix, mature`;

export interface AlertFilter {
  category?: string;
  sellerId?: string;
  productId?: string;
  /** new, ongoing, resolved, or open (new or ongoing). */
  status?: string;
  metric?: string;
  /** Alerts whose period starts on or after this date. */
  since?: string;
  limit: number;
  /** Only alerts after this one in the list's order (keyset pagination). */
  after?: AlertPosition;
}

/** Where an alert stands in the list's order: severity, then period (newest first), then id. */
export interface AlertPosition {
  severity: number;
  /** period_start as days since 1970-01-01. */
  periodDays: number;
  alertId: bigint;
}

/** Alerts, most severe first (ties: newest period, then id). */
export async function readQualityAlerts(connection: DuckDBConnection, filter: AlertFilter): Promise<QualityAlert[]> {
  const reader = await connection.runAndReadAll(
    `SELECT ${ALERT_COLUMNS}
     FROM quality_alerts
     WHERE ($category IS NULL OR category = $category) AND ($sellerId IS NULL OR seller_id = $sellerId)
       AND ($productId IS NULL OR product_id = $productId)
       AND ($status IS NULL OR status = $status OR ($status = 'open' AND status IN ('new', 'ongoing')))
       AND ($metric IS NULL OR metric = $metric) AND ($since IS NULL OR period_start >= $since::DATE)
       AND ($afterSeverity IS NULL OR severity < $afterSeverity OR (severity = $afterSeverity
         AND (period_start < $afterPeriod OR (period_start = $afterPeriod AND alert_id > $afterId))))
     ORDER BY severity DESC, period_start DESC, alert_id
     LIMIT $limit`,
    {
      afterSeverity: filter.after?.severity ?? null,
      // DATE '1970-01-01' + days: the cursor holds a day number, so every cursor the schema admits is a date.
      afterPeriod: filter.after === undefined ? null : new DuckDBDateValue(filter.after.periodDays),
      afterId: filter.after?.alertId ?? null,
      category: filter.category ?? null,
      sellerId: filter.sellerId ?? null,
      productId: filter.productId ?? null,
      status: filter.status ?? null,
      metric: filter.metric ?? null,
      since: filter.since ?? null,
      limit: filter.limit,
    },
    // Typed: an integral JavaScript number binds as an integer otherwise, and 1e300 overflowed it.
    { afterSeverity: DOUBLE, afterPeriod: DATE, afterId: BIGINT },
  );
  return reader.getRowObjectsJS().map((row) => rowToAlert(row));
}

/** One page of alerts; asks for `limit + 1` so the caller knows whether another page exists. */
export async function readQualityAlertPage(connection: DuckDBConnection, filter: AlertFilter): Promise<{ alerts: QualityAlert[]; hasMore: boolean }> {
  const alerts = await readQualityAlerts(connection, { ...filter, limit: filter.limit + 1 });
  return { alerts: alerts.slice(0, filter.limit), hasMore: alerts.length > filter.limit };
}

export interface QualityReportFilter {
  category?: string;
  sellerId?: string;
  /** First day of the ISO week; default the latest week with data. */
  periodStart?: string;
  limit: number;
  /** Order of the products (QUALITY_REPORT_SORTS); default faultRateLow. */
  sort?: QualityReportSort;
  /** Products with fewer delivered units in the week are left out; default 0. */
  minUnits?: number;
}

/**
 * How the report orders its products. By the lower bound of the product-fault rate's 95% interval
 * by default: ranked by the rate itself, products with 10 units and 1–2 faults (8–12%, intervals up
 * to 40%) led the list; the lower bound ranks first what we are sure is high.
 */
export const QUALITY_REPORT_SORTS = {
  faultRateLow: 'product_fault_rate_low DESC NULLS LAST',
  faultRate: 'product_fault_rate DESC NULLS LAST',
  faultUnits: 'product_fault_units DESC NULLS LAST',
  deliveredUnits: 'delivered_units DESC NULLS LAST',
} as const;
export type QualityReportSort = keyof typeof QUALITY_REPORT_SORTS;

/**
 * One week's report: the products with the highest product-fault rate (with intervals) in the
 * category/seller, the scope's own totals, and the top alerts by severity.
 */
export async function readQualityReport(connection: DuckDBConnection, filter: QualityReportFilter): Promise<{ periodStart: string | null; totals: QualityPeriodRow[]; products: QualityPeriodRow[]; alerts: QualityAlert[] }> {
  const periodStart = filter.periodStart ?? (await readLatestReportWeek(connection, filter));
  if (periodStart === null) return { periodStart: null, totals: [], products: [], alerts: [] };
  const params = { category: filter.category ?? null, sellerId: filter.sellerId ?? null, period: periodStart, limit: filter.limit, minUnits: filter.minUnits ?? 0 };
  // The ORDER BY comes from a fixed table keyed by a validated enum, never from the request's text.
  const products = await connection.runAndReadAll(
    `SELECT ${PERIOD_COLUMNS} FROM quality_weekly
     WHERE scope = 'product' AND period_start = $period::DATE AND ($category IS NULL OR category = $category) AND ($sellerId IS NULL OR seller_id = $sellerId)
       AND delivered_units >= $minUnits
     ORDER BY ${QUALITY_REPORT_SORTS[filter.sort ?? 'faultRateLow']}, scope_id LIMIT $limit`,
    params,
  );
  const totals = await connection.runAndReadAll(
    `SELECT ${PERIOD_COLUMNS} FROM quality_weekly
     WHERE period_start = $period::DATE AND (($category IS NOT NULL AND scope = 'category' AND scope_id = $category)
        OR ($sellerId IS NOT NULL AND scope = 'seller' AND scope_id = $sellerId)
        OR ($category IS NULL AND $sellerId IS NULL AND scope = 'category'))
     ORDER BY scope, scope_id`,
    // limit is the number of products listed; every category's total is shown (with limit=1, only the first was).
    { category: params.category, sellerId: params.sellerId, period: params.period },
  );
  const alerts = await readQualityAlerts(connection, {
    ...(filter.category === undefined ? {} : { category: filter.category }),
    ...(filter.sellerId === undefined ? {} : { sellerId: filter.sellerId }),
    since: periodStart,
    limit: 20,
  });
  return {
    periodStart,
    totals: totals.getRowObjectsJS().map((row) => rowToPeriod(row)),
    products: products.getRowObjectsJS().map((row) => rowToPeriod(row)),
    alerts,
  };
}

/** What the report's category and seller filters match in any week, to tell a typo from a quiet week. */
export interface QualityFilterMatches {
  /** Product rows of the category (any seller), of the seller (any category), and of both together. */
  category: boolean;
  seller: boolean;
  both: boolean;
  /** Every category with product rows, sorted. */
  knownCategories: string[];
}

export async function readQualityFilterMatches(connection: DuckDBConnection, filter: Pick<QualityReportFilter, 'category' | 'sellerId'>): Promise<QualityFilterMatches> {
  const reader = await connection.runAndReadAll(
    `SELECT
       coalesce(bool_or(category = $category), false) AS category,
       coalesce(bool_or(seller_id = $sellerId), false) AS seller,
       coalesce(bool_or(($category IS NULL OR category = $category) AND ($sellerId IS NULL OR seller_id = $sellerId)), false) AS both,
       list_sort(list_distinct(list(category))) AS known_categories
     FROM quality_weekly_counts WHERE scope = 'product'`,
    { category: filter.category ?? null, sellerId: filter.sellerId ?? null },
  );
  const row = reader.getRowObjectsJS()[0] ?? {};
  return {
    category: row['category'] === true,
    seller: row['seller'] === true,
    both: row['both'] === true,
    knownCategories: Array.isArray(row['known_categories']) ? row['known_categories'].map(String) : [],
  };
}

/** The latest week with product rows in the category/seller (the report's default period), or null. */
async function readLatestReportWeek(connection: DuckDBConnection, filter: Pick<QualityReportFilter, 'category' | 'sellerId'>): Promise<string | null> {
  const latest = await connection.runAndReadAll(
    `SELECT max(period_start) FROM quality_weekly WHERE scope = 'product' AND ($category IS NULL OR category = $category) AND ($sellerId IS NULL OR seller_id = $sellerId)`,
    { category: filter.category ?? null, sellerId: filter.sellerId ?? null },
  );
  return toIsoDate(latest.getRowsJS()[0]?.[0] ?? null);
}

/** A product's weekly series, oldest first (empty when the product has no delivered units). */
export async function readProductQuality(connection: DuckDBConnection, options: { productId: string; since?: string }): Promise<QualityPeriodRow[]> {
  const reader = await connection.runAndReadAll(
    `SELECT ${PERIOD_COLUMNS} FROM quality_weekly WHERE scope = 'product' AND scope_id = $productId AND ($since IS NULL OR period_start >= $since::DATE)
     ORDER BY period_start`,
    { productId: options.productId, since: options.since ?? null },
  );
  return reader.getRowObjectsJS().map((row) => rowToPeriod(row));
}
