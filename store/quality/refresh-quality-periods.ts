import type { DuckDBConnection } from '@duckdb/node-api';
import type { CohortSelection } from './refresh-quality-cohorts.ts';
import type { QualityRunSettings } from './quality-run-settings.ts';
import { REASON_COLUMNS } from './reason-columns.ts';

type Scope = 'product' | 'category' | 'seller';
type Grain = 'weekly' | 'daily';

const SCOPE_KEY: Record<Scope, string> = { product: 'product_id', category: 'category', seller: 'seller_id' };
// A product's category and seller on a row: its only one, or — when its lines in the period name
// several — the alphabetically first (cheap and deterministic, so incremental and full runs agree).
const SCOPE_CATEGORY: Record<Scope, string> = { product: 'min(category)', category: 'any_value(category)', seller: 'min(category)' };
const SCOPE_SELLER: Record<Scope, string> = { product: 'min(seller_id)', category: 'NULL', seller: 'any_value(seller_id)' };
const PERIOD: Record<Grain, { start: (day: string) => string; days: number; table: string }> = {
  // date_trunc('week') is the ISO-week Monday
  weekly: { start: (day) => `date_trunc('week', ${day})::DATE`, days: 7, table: 'quality_weekly_counts' },
  daily: { start: (day) => day, days: 1, table: 'quality_daily_counts' },
};

/**
 * Rolls quality_cohort_base up into quality_weekly_counts and quality_daily_counts (read through the
 * views quality_weekly and quality_daily, which add rates, Wilson bounds and JSON) for every scope:
 * all rows, or only the periods containing a day in q_touched_scope_days. `mature` and
 * `within_n_complete` are set for the run's `now` (see updateQualityMaturity).
 * Returns the number of rows written.
 */
export async function refreshQualityPeriods(connection: DuckDBConnection, settings: QualityRunSettings, selection: CohortSelection): Promise<number> {
  let written = 0;
  for (const grain of ['weekly', 'daily'] as const) {
    const period = PERIOD[grain];
    if (selection === 'all') {
      await connection.run(`DELETE FROM ${period.table}`);
    } else {
      await connection.run(
        `CREATE OR REPLACE TEMP TABLE q_touched_periods AS
         SELECT DISTINCT scope, scope_id, ${period.start('day')} AS period_start FROM q_touched_scope_days`,
      );
      await connection.run(
        `DELETE FROM ${period.table} p USING q_touched_periods t
         WHERE p.scope = t.scope AND p.scope_id = t.scope_id AND p.period_start = t.period_start`,
      );
    }
    for (const scope of ['product', 'category', 'seller'] as const) {
      written += await insertPeriodRows(connection, settings, { scope, grain, selection });
    }
  }
  return written;
}

async function insertPeriodRows(
  connection: DuckDBConnection,
  settings: QualityRunSettings,
  options: { scope: Scope; grain: Grain; selection: CohortSelection },
): Promise<number> {
  const period = PERIOD[options.grain];
  const key = SCOPE_KEY[options.scope];
  const touched =
    options.selection === 'all'
      ? ''
      : `SEMI JOIN q_touched_periods t ON t.scope = '${options.scope}' AND t.scope_id = b.scope_id AND t.period_start = b.period_start`;
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE q_period_sums AS
     WITH b AS (
       SELECT ${key} AS scope_id, ${period.start('day')} AS period_start, * FROM quality_cohort_base WHERE ${key} IS NOT NULL
     )
     SELECT b.scope_id, b.period_start, ${SCOPE_CATEGORY[options.scope]} AS category, ${SCOPE_SELLER[options.scope]} AS seller_id,
            max(return_window_days) AS return_window_days,
            sum(delivered_units) AS delivered, sum(returned_units) AS returned, sum(returned_within_n_units) AS returned_n,
            sum(product_fault_units) AS fault, sum(product_fault_within_n_units) AS fault_n,
            sum(claimed_defect_units) AS claimed, sum(confirmed_defect_units) AS confirmed,
            ${REASON_COLUMNS.map((column) => `sum(${column.window}) AS ${column.window}`).join(', ')}
     FROM b ${touched}
     GROUP BY b.scope_id, b.period_start
     HAVING sum(delivered_units) > 0`,
  );
  const reader = await connection.runAndReadAll(
    `INSERT INTO ${period.table}
     SELECT '${options.scope}', s.scope_id, s.period_start, s.period_start + ${period.days}, s.category, s.seller_id,
            s.return_window_days, $withinDays::INTEGER, s.delivered, s.returned, s.returned_n, s.fault, s.fault_n, s.claimed, s.confirmed,
            ${REASON_COLUMNS.map((column) => `s.${column.window}`).join(', ')},
            timezone('UTC', $now::TIMESTAMPTZ) >= (s.period_start + ${period.days} + s.return_window_days)::TIMESTAMP,
            timezone('UTC', $now::TIMESTAMPTZ) >= (s.period_start + ${period.days} + $withinDays::INTEGER)::TIMESTAMP,
            $now::TIMESTAMPTZ
     FROM q_period_sums s`,
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
