import type { DuckDBConnection } from '@duckdb/node-api';
import type { CohortSelection } from './refresh-quality-cohorts.ts';
import type { QualityRunSettings } from './quality-run-settings.ts';
import { REASON_COLUMNS } from './reason-columns.ts';

type Scope = 'product' | 'category' | 'seller';
type Grain = 'weekly' | 'daily';

const SCOPE_KEY: Record<Scope, string> = { product: 'product_id', category: 'category', seller: 'seller_id' };
const PERIOD: Record<Grain, { start: string; days: number; table: string; scopes: readonly Scope[] }> = {
  // date_trunc('week') is the ISO-week Monday
  weekly: { start: "date_trunc('week', day)::DATE", days: 7, table: 'quality_weekly_counts', scopes: ['product', 'category', 'seller'] },
  // daily product rows are not written: the view quality_daily reads them from quality_cohort_base,
  // which has that grain already (migration 008)
  daily: { start: 'day', days: 1, table: 'quality_daily_counts', scopes: ['category', 'seller'] },
};
/** The summed count columns of the period tables, in their column order after delivered_units. */
const COUNT_COLUMNS = [
  'returned_units',
  'returned_within_n_units',
  'product_fault_units',
  'product_fault_within_n_units',
  'claimed_defect_units',
  'confirmed_defect_units',
  ...REASON_COLUMNS.map((column) => column.window),
];

/**
 * Rolls quality_cohort_base up into quality_weekly_counts (product, category, seller) and
 * quality_daily_counts (category, seller), read through the views quality_weekly and quality_daily,
 * which add rates, Wilson bounds and JSON: all rows, or only the periods containing a day in
 * q_touched_scope_days. `mature` and `within_n_complete` are set for the run's `now` (see
 * updateQualityMaturity). Returns the number of rows written.
 */
export async function refreshQualityPeriods(connection: DuckDBConnection, settings: QualityRunSettings, selection: CohortSelection): Promise<number> {
  let written = 0;
  for (const grain of ['weekly', 'daily'] as const) {
    const period = PERIOD[grain];
    if (selection === 'all') {
      await connection.run(`DELETE FROM ${period.table}`);
      // every scope of the grain in one pass over the cohorts (one GROUPING SETS statement)
      written += await insertPeriodRows(connection, settings, { grain, scopes: period.scopes, touchedOnly: false });
    } else {
      await connection.run(
        `CREATE OR REPLACE TEMP TABLE q_touched_periods AS
         SELECT DISTINCT scope, scope_id, ${period.start} AS period_start FROM q_touched_scope_days`,
      );
      await connection.run(
        `DELETE FROM ${period.table} p USING q_touched_periods t
         WHERE p.scope = t.scope AND p.scope_id = t.scope_id AND p.period_start = t.period_start`,
      );
      // one scope at a time, each reading only the cohorts of its touched periods
      for (const scope of period.scopes) written += await insertPeriodRows(connection, settings, { grain, scopes: [scope], touchedOnly: true });
    }
  }
  return written;
}

async function insertPeriodRows(
  connection: DuckDBConnection,
  settings: QualityRunSettings,
  options: { grain: Grain; scopes: readonly Scope[]; touchedOnly: boolean },
): Promise<number> {
  const period = PERIOD[options.grain];
  const single = options.scopes.length === 1 ? options.scopes[0] : undefined;
  const touched =
    options.touchedOnly && single !== undefined
      ? `SEMI JOIN q_touched_periods t ON t.scope = '${single}' AND t.scope_id = b.${SCOPE_KEY[single]} AND t.period_start = b.period_start`
      : '';
  // grouping(key) = 0 marks the grouping set a row belongs to; the scope keys are never NULL inside
  // their own set except seller_id (lines without a seller), whose group is dropped below
  const scope = `CASE ${options.scopes.map((name) => `WHEN grouping(${SCOPE_KEY[name]}) = 0 THEN '${name}'`).join(' ')} END`;
  const scopeId = `CASE ${options.scopes.map((name) => `WHEN grouping(${SCOPE_KEY[name]}) = 0 THEN ${SCOPE_KEY[name]}`).join(' ')} END`;
  // a category row has no seller; grouping() may only name a key of this statement's sets
  const seller = !options.scopes.includes('category') ? 'min(seller_id)' : single === 'category' ? 'NULL' : 'CASE WHEN grouping(category) = 0 THEN NULL ELSE min(seller_id) END';
  const sets = options.scopes.map((name) => `(${SCOPE_KEY[name]}, b.period_start)`).join(', ');
  const reader = await connection.runAndReadAll(
    `INSERT INTO ${period.table}
     SELECT scope, scope_id, period_start, period_start + ${period.days}, category, seller_id, return_window_days, $withinDays::INTEGER,
            delivered_units, ${COUNT_COLUMNS.join(', ')},
            timezone('UTC', $now::TIMESTAMPTZ) >= (period_start + ${period.days} + return_window_days)::TIMESTAMP,
            timezone('UTC', $now::TIMESTAMPTZ) >= (period_start + ${period.days} + $withinDays::INTEGER)::TIMESTAMP,
            $now::TIMESTAMPTZ
     FROM (
       SELECT ${scope} AS scope, ${scopeId} AS scope_id, b.period_start,
              -- a product's or seller's category, and a product's seller: its only one, or — when its
              -- lines in the period name several — the alphabetically first (cheap and deterministic,
              -- so incremental and full runs agree)
              min(category) AS category, ${seller} AS seller_id,
              max(return_window_days) AS return_window_days, sum(delivered_units) AS delivered_units,
              ${COUNT_COLUMNS.map((column) => `sum(${column}) AS ${column}`).join(', ')}
       FROM (SELECT *, ${period.start} AS period_start FROM quality_cohort_base) b ${touched}
       GROUP BY GROUPING SETS (${sets})
     )
     WHERE scope_id IS NOT NULL AND delivered_units > 0`,
    { withinDays: settings.withinDays, now: settings.now.toISOString() },
  );
  return reader.rowsChanged;
}

/**
 * Sets `mature` and `within_n_complete` for the run's `now` on rows not yet final: both only depend
 * on the period, the window and the time, so rows untouched by new facts still age correctly.
 */
export async function updateQualityMaturity(connection: DuckDBConnection, settings: QualityRunSettings): Promise<void> {
  for (const table of ['quality_weekly_counts', 'quality_daily_counts']) {
    await connection.run(
      `UPDATE ${table} SET
         mature = timezone('UTC', $now::TIMESTAMPTZ) >= (period_end + return_window_days)::TIMESTAMP,
         within_n_complete = timezone('UTC', $now::TIMESTAMPTZ) >= (period_end + within_n_days)::TIMESTAMP
       WHERE NOT mature OR NOT within_n_complete`,
      { now: settings.now.toISOString() },
    );
  }
}
