import type { DuckDBConnection } from '@duckdb/node-api';
import type { CohortSelection } from './refresh-quality-cohorts.ts';
import type { QualityRunSettings } from './quality-run-settings.ts';

type Scope = 'product' | 'category' | 'seller';
type Grain = 'weekly' | 'daily';

const SCOPE_KEY: Record<Scope, string> = { product: 'product_id', category: 'category', seller: 'seller_id' };
// The product's category and seller are those of its largest day cohort (a product nearly always has one
// of each); ties go to the larger name so that incremental runs and full rebuilds agree.
const SCOPE_CATEGORY: Record<Scope, string> = {
  product: 'arg_max(category, (delivered_units, category))',
  category: 'any_value(category)',
  seller: 'arg_max(category, (delivered_units, category))',
};
const SCOPE_SELLER: Record<Scope, string> = { product: 'arg_max(seller_id, (delivered_units, seller_id))', category: 'NULL', seller: 'any_value(seller_id)' };
const PERIOD: Record<Grain, { start: (day: string) => string; days: number; table: string }> = {
  // date_trunc('week') is the ISO-week Monday
  weekly: { start: (day) => `date_trunc('week', ${day})::DATE`, days: 7, table: 'quality_weekly' },
  daily: { start: (day) => day, days: 1, table: 'quality_daily' },
};

/**
 * Rolls quality_cohort_base up into quality_weekly and quality_daily for every scope: all rows, or
 * only the periods containing a day in q_touched_scope_days. Rates come with 95% Wilson bounds;
 * `mature` and `within_n_complete` are set for the run's `now` (see updateQualityMaturity).
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
      : `JOIN q_touched_periods t ON t.scope = '${options.scope}' AND t.scope_id = b.scope_id AND t.period_start = b.period_start`;
  const reader = await connection.runAndReadAll(
    `INSERT INTO ${period.table}
     WITH b AS (
       SELECT ${key} AS scope_id, ${period.start('day')} AS period_start, * FROM quality_cohort_base WHERE ${key} IS NOT NULL
     ),
     selected AS (SELECT b.* FROM b ${touched}),
     sums AS (
       SELECT scope_id, period_start, ${SCOPE_CATEGORY[options.scope]} AS category, ${SCOPE_SELLER[options.scope]} AS seller_id,
              max(return_window_days) AS return_window_days,
              sum(delivered_units) AS delivered, sum(returned_units) AS returned, sum(returned_within_n_units) AS returned_n,
              sum(product_fault_units) AS fault, sum(product_fault_within_n_units) AS fault_n,
              sum(claimed_defect_units) AS claimed, sum(confirmed_defect_units) AS confirmed
       FROM selected GROUP BY scope_id, period_start
     ),
     reasons AS (
       SELECT scope_id, period_start, to_json(map(list(reason ORDER BY reason), list(units ORDER BY reason)))::VARCHAR AS reason_mix FROM (
         SELECT k.scope_id, k.period_start, r.reason, sum(r.returned_units) AS units
         FROM quality_reason_base r
         JOIN sums k ON k.scope_id = r.${key} AND k.period_start = ${period.start('r.day')}
         WHERE r.returned_units > 0
         GROUP BY ALL
       ) GROUP BY scope_id, period_start
     )
     SELECT '${options.scope}', s.scope_id, s.period_start, s.period_start + ${period.days}, s.category, s.seller_id,
            s.return_window_days, $withinDays::INTEGER, s.delivered, s.returned, s.returned_n,
            s.returned / s.delivered, q_wilson_low(s.returned, s.delivered, $z), q_wilson_high(s.returned, s.delivered, $z),
            s.returned_n / s.delivered, q_wilson_low(s.returned_n, s.delivered, $z), q_wilson_high(s.returned_n, s.delivered, $z),
            s.fault, s.fault_n,
            s.fault / s.delivered, q_wilson_low(s.fault, s.delivered, $z), q_wilson_high(s.fault, s.delivered, $z),
            s.fault_n / s.delivered, q_wilson_low(s.fault_n, s.delivered, $z), q_wilson_high(s.fault_n, s.delivered, $z),
            s.claimed, s.claimed / s.delivered, q_wilson_low(s.claimed, s.delivered, $z), q_wilson_high(s.claimed, s.delivered, $z),
            s.confirmed, s.confirmed / s.delivered, q_wilson_low(s.confirmed, s.delivered, $z), q_wilson_high(s.confirmed, s.delivered, $z),
            coalesce(r.reason_mix, '{}'),
            timezone('UTC', $now::TIMESTAMPTZ) >= (s.period_start + ${period.days} + s.return_window_days)::TIMESTAMP,
            timezone('UTC', $now::TIMESTAMPTZ) >= (s.period_start + ${period.days} + $withinDays::INTEGER)::TIMESTAMP,
            $now::TIMESTAMPTZ
     FROM sums s LEFT JOIN reasons r ON r.scope_id = s.scope_id AND r.period_start = s.period_start
     WHERE s.delivered > 0`,
    { withinDays: settings.withinDays, z: settings.wilsonZ, now: settings.now.toISOString() },
  );
  return reader.rowsChanged;
}

/**
 * Sets `mature` and `within_n_complete` for the run's `now` on rows not yet final: both only depend
 * on the period, the window and the time, so rows untouched by new facts still age correctly.
 */
export async function updateQualityMaturity(connection: DuckDBConnection, settings: QualityRunSettings): Promise<void> {
  for (const table of ['quality_weekly', 'quality_daily']) {
    await connection.run(
      `UPDATE ${table} SET
         mature = timezone('UTC', $now::TIMESTAMPTZ) >= (period_end + return_window_days)::TIMESTAMP,
         within_n_complete = timezone('UTC', $now::TIMESTAMPTZ) >= (period_end + within_n_days)::TIMESTAMP
       WHERE NOT mature OR NOT within_n_complete`,
      { now: settings.now.toISOString() },
    );
  }
}
