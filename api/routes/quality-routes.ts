/** Product quality for product teams: the weekly report, one product's series, and alerts. */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { DuckDBConnection } from '@duckdb/node-api';
import { RetourError } from '../../domain/errors/retour-error.ts';
import { readProductQuality, readQualityAlertPage, readQualityAlerts, readQualityFilterMatches, readQualityReport, type AlertPosition } from '../../store/api/read-quality.ts';
import { sendTabular } from '../plugins/arrow-tables.ts';
import { AUTHENTICATED_PROBLEMS, okResponse, problemResponses } from '../schemas/common-schemas.ts';
import { AlertList, AlertQuery, ProductParams, ProductQuality, ProductQualityQuery, QualityAlert, QualityPeriod, QualityReport, QualityReportQuery } from '../schemas/quality-schemas.ts';

/**
 * Quality periods are ISO weeks named by their Monday; another day matched no row and answered an
 * empty report (period), or dropped the week it falls in (since). Any day now means its week (the answer's periodStart says which Monday), which the
 * OpenAPI schema can state — a 400 for a valid date was a schema violation schemathesis found.
 */
function isoWeekMondayOf(date: string): string {
  // The schema already checked the YYYY-MM-DD format; getUTCDay: 0 is Sunday, 1 Monday.
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

/** The list position of an alert, as `cursor` text (ALERT_CURSOR_PATTERN). */
export function encodeAlertCursor(alert: { severity: number; periodStart: string; alertId: number }): string {
  const periodDays = Math.round(Date.parse(`${alert.periodStart}T00:00:00Z`) / 86_400_000);
  return `${String(alert.severity)}~${periodDays}~${alert.alertId}`;
}

/** The position a cursor names; the schema's pattern already admitted only these three numbers. */
export function decodeAlertCursor(cursor: string): AlertPosition {
  const [severity, periodDays, alertId] = cursor.split('~');
  return { severity: Number(severity), periodDays: Number(periodDays), alertId: BigInt(alertId ?? '0') };
}

/**
 * An empty report for a category or seller that matches no product in any week is a typo
 * (`Apparel`), not a quiet week: a 404 naming the field, with the categories there are. A filter
 * that matched some week answers its (maybe empty) report as before.
 */
async function refuseFiltersWithoutData(connection: DuckDBConnection, filter: { category: string | undefined; seller: string | undefined }): Promise<void> {
  const { category, seller } = filter;
  const matches = await readQualityFilterMatches(connection, { ...(category === undefined ? {} : { category }), ...(seller === undefined ? {} : { sellerId: seller }) });
  if (matches.both) return;
  const errors: { field: string; message: string }[] = [];
  const categoriesWithData = matches.knownCategories.length === 0 ? 'none yet' : matches.knownCategories.slice(0, 30).join(', ');
  if (category !== undefined && !matches.category) errors.push({ field: 'query.category', message: `matches no product in any week; categories with data: ${categoriesWithData}` });
  if (seller !== undefined && !matches.seller) errors.push({ field: 'query.seller', message: 'matches no product in any week' });
  if (errors.length === 0 && category !== undefined && seller !== undefined) {
    // Each exists, never together.
    errors.push({ field: 'query.category', message: `has no product of seller ${seller} in any week` }, { field: 'query.seller', message: `has no product in category ${category} in any week` });
  }
  const scope = [category === undefined ? undefined : `category ${JSON.stringify(category)}`, seller === undefined ? undefined : `seller ${JSON.stringify(seller)}`].filter((part) => part !== undefined).join(' with ');
  throw new RetourError('RETOUR_NOT_FOUND', `no quality data for ${scope} in any week (unknown, misspelt, or nothing delivered yet)`, { details: { errors } });
}

export function registerQualityRoutes(app: FastifyInstance, options: { connection: DuckDBConnection }): void {
  app.get<{ Querystring: Static<typeof QualityReportQuery> }>(
    '/v1/quality/report',
    {
      config: { permission: 'quality:read' },
      schema: {
        tags: ['quality'],
        summary: "A week's quality report: totals, products by product-fault rate (Wilson intervals; by default the interval's lower bound first), top alerts by severity",
        security: [{ apiKey: [] }],
        querystring: QualityReportQuery,
        response: {
          200: okResponse(QualityReport, 'The report (Arrow: the product rows)', { arrow: true }),
          ...problemResponses(...AUTHENTICATED_PROBLEMS, [404, 'The category or seller matches no product in any week (a typo, or nothing delivered yet); errors names query.category or query.seller']),
        },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const report = await readQualityReport(options.connection, {
        limit: query.limit ?? 50,
        ...(query.sort === undefined ? {} : { sort: query.sort }),
        ...(query.minUnits === undefined ? {} : { minUnits: query.minUnits }),
        ...(query.category === undefined ? {} : { category: query.category }),
        ...(query.seller === undefined ? {} : { sellerId: query.seller }),
        ...(query.period === undefined ? {} : { periodStart: isoWeekMondayOf(query.period) }),
      });
      if (report.products.length === 0 && (query.category !== undefined || query.seller !== undefined)) {
        await refuseFiltersWithoutData(options.connection, { category: query.category, seller: query.seller });
      }
      return sendTabular(request, reply, { rows: report.products, rowSchema: QualityPeriod, json: report });
    },
  );

  app.get<{ Params: Static<typeof ProductParams>; Querystring: Static<typeof ProductQualityQuery> }>(
    '/v1/products/:productId/quality',
    {
      config: { permission: 'quality:read' },
      schema: {
        tags: ['quality'],
        summary: "A product's weekly series with intervals, its reason mix and its alerts",
        security: [{ apiKey: [] }],
        params: ProductParams,
        querystring: ProductQualityQuery,
        response: {
          200: okResponse(ProductQuality, 'The series (Arrow: one row per week)', { arrow: true }),
          ...problemResponses(...AUTHENTICATED_PROBLEMS, [404, 'No quality data for this product in the weeks asked for: unknown, or nothing delivered since `since`']),
        },
      },
    },
    async (request, reply) => {
      const { productId } = request.params;
      const weeks = await readProductQuality(options.connection, { productId, ...(request.query.since === undefined ? {} : { since: isoWeekMondayOf(request.query.since) }) });
      if (weeks.length === 0) throw new RetourError('RETOUR_NOT_FOUND', `no quality data for product ${JSON.stringify(productId)} (unknown, or nothing delivered in the weeks asked for)`);
      const reasonMix: Record<string, number> = {};
      for (const week of weeks) for (const [reason, units] of Object.entries(week.reasonMix)) reasonMix[reason] = (reasonMix[reason] ?? 0) + units;
      const alerts = await readQualityAlerts(options.connection, { productId, limit: 100 });
      return sendTabular(request, reply, { rows: weeks, rowSchema: QualityPeriod, json: { productId, weeks, reasonMix, alerts } });
    },
  );

  app.get<{ Querystring: Static<typeof AlertQuery> }>(
    '/v1/alerts',
    {
      config: { permission: 'quality:read' },
      schema: {
        tags: ['quality'],
        summary: 'Quality alerts, most severe first',
        security: [{ apiKey: [] }],
        querystring: AlertQuery,
        response: { 200: okResponse(AlertList, 'Alerts', { arrow: true }), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const page = await readQualityAlertPage(options.connection, {
        limit: query.limit ?? 100,
        ...(query.category === undefined ? {} : { category: query.category }),
        ...(query.seller === undefined ? {} : { sellerId: query.seller }),
        ...(query.product === undefined ? {} : { productId: query.product }),
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.metric === undefined ? {} : { metric: query.metric }),
        // "Detected in this week or later": a Wednesday must not drop the alerts of its own week.
        ...(query.since === undefined ? {} : { since: isoWeekMondayOf(query.since) }),
        ...(query.cursor === undefined ? {} : { after: decodeAlertCursor(query.cursor) }),
      });
      const last = page.alerts.at(-1);
      const nextCursor = page.hasMore && last !== undefined ? encodeAlertCursor(last) : null;
      if (nextCursor !== null) reply.header('x-next-cursor', nextCursor);
      return sendTabular(request, reply, { rows: page.alerts, rowSchema: QualityAlert, json: { alerts: page.alerts, nextCursor } });
    },
  );
}
