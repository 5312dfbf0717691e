-- 008: the daily product rows of quality_daily are read from quality_cohort_base instead of written.
-- quality_cohort_base already has the product × day grain (split only by category and seller, which
-- a product rarely changes), so writing the same ~7M rows again on every full rebuild was the
-- largest single cost of the quality job (docs/quality.md, Benchmark). The job keeps writing the
-- category and seller rows to quality_daily_counts; `mature`, `within_n_complete`, `within_n_days`
-- and `computed_at` of the product rows come from the last run (quality_state), which is exactly
-- what the job wrote to every row it refreshed.

DELETE FROM quality_daily_counts WHERE scope = 'product';

CREATE VIEW quality_daily_all_counts AS
SELECT 'product' AS scope, b.product_id AS scope_id, b.day AS period_start, b.day + 1 AS period_end,
       -- as the job does for every product row: when its lines name several, the alphabetically first
       min(b.category) AS category, min(b.seller_id) AS seller_id,
       max(b.return_window_days) AS return_window_days, s.within_n_days,
       sum(b.delivered_units)::BIGINT AS delivered_units,
       sum(b.returned_units)::BIGINT AS returned_units,
       sum(b.returned_within_n_units)::BIGINT AS returned_within_n_units,
       sum(b.product_fault_units)::BIGINT AS product_fault_units,
       sum(b.product_fault_within_n_units)::BIGINT AS product_fault_within_n_units,
       sum(b.claimed_defect_units)::BIGINT AS claimed_defect_units,
       sum(b.confirmed_defect_units)::BIGINT AS confirmed_defect_units,
       sum(b.reason_fit_too_small)::BIGINT AS reason_fit_too_small,
       sum(b.reason_fit_too_large)::BIGINT AS reason_fit_too_large,
       sum(b.reason_preference_style)::BIGINT AS reason_preference_style,
       sum(b.reason_preference_changed_mind)::BIGINT AS reason_preference_changed_mind,
       sum(b.reason_preference_better_price)::BIGINT AS reason_preference_better_price,
       sum(b.reason_preference_ordered_by_mistake)::BIGINT AS reason_preference_ordered_by_mistake,
       sum(b.reason_description_not_as_described)::BIGINT AS reason_description_not_as_described,
       sum(b.reason_quality_defective)::BIGINT AS reason_quality_defective,
       sum(b.reason_quality_poor_quality)::BIGINT AS reason_quality_poor_quality,
       sum(b.reason_quality_missing_parts)::BIGINT AS reason_quality_missing_parts,
       sum(b.reason_logistics_arrived_damaged)::BIGINT AS reason_logistics_arrived_damaged,
       sum(b.reason_logistics_wrong_item_sent)::BIGINT AS reason_logistics_wrong_item_sent,
       sum(b.reason_logistics_arrived_late)::BIGINT AS reason_logistics_arrived_late,
       sum(b.reason_other)::BIGINT AS reason_other,
       timezone('UTC', s.as_of) >= (b.day + 1 + max(b.return_window_days))::TIMESTAMP AS mature,
       timezone('UTC', s.as_of) >= (b.day + 1 + s.within_n_days)::TIMESTAMP AS within_n_complete,
       s.as_of AS computed_at
FROM quality_cohort_base b
-- the run's N is part of its cohort settings (store/quality/quality-run-settings.ts, cohortSettingsKey)
CROSS JOIN (SELECT as_of, json_extract(settings, '$.withinDays')::INTEGER AS within_n_days FROM quality_state WHERE state_key = 'quality') s
GROUP BY b.product_id, b.day, s.as_of, s.within_n_days
HAVING sum(b.delivered_units) > 0
UNION ALL
SELECT * FROM quality_daily_counts;

-- The rates, Wilson intervals and reason mix of a counts table, written once for both views
-- (003 spelled them out in each view).
CREATE OR REPLACE MACRO quality_rates(counts) AS TABLE
SELECT scope, scope_id, period_start, period_end, category, seller_id, return_window_days, within_n_days,
       delivered_units, returned_units, returned_within_n_units,
       returned_units / delivered_units AS return_rate,
       quality_wilson_low(returned_units, delivered_units) AS return_rate_low,
       quality_wilson_high(returned_units, delivered_units) AS return_rate_high,
       returned_within_n_units / delivered_units AS return_within_n_rate,
       quality_wilson_low(returned_within_n_units, delivered_units) AS return_within_n_rate_low,
       quality_wilson_high(returned_within_n_units, delivered_units) AS return_within_n_rate_high,
       product_fault_units, product_fault_within_n_units,
       product_fault_units / delivered_units AS product_fault_rate,
       quality_wilson_low(product_fault_units, delivered_units) AS product_fault_rate_low,
       quality_wilson_high(product_fault_units, delivered_units) AS product_fault_rate_high,
       product_fault_within_n_units / delivered_units AS product_fault_within_n_rate,
       quality_wilson_low(product_fault_within_n_units, delivered_units) AS product_fault_within_n_rate_low,
       quality_wilson_high(product_fault_within_n_units, delivered_units) AS product_fault_within_n_rate_high,
       claimed_defect_units,
       claimed_defect_units / delivered_units AS claimed_defect_rate,
       quality_wilson_low(claimed_defect_units, delivered_units) AS claimed_defect_rate_low,
       quality_wilson_high(claimed_defect_units, delivered_units) AS claimed_defect_rate_high,
       confirmed_defect_units,
       confirmed_defect_units / delivered_units AS confirmed_defect_rate,
       quality_wilson_low(confirmed_defect_units, delivered_units) AS confirmed_defect_rate_low,
       quality_wilson_high(confirmed_defect_units, delivered_units) AS confirmed_defect_rate_high,
       to_json(map_from_entries(list_filter([
         {'k': 'fit.too_small', 'v': reason_fit_too_small},
         {'k': 'fit.too_large', 'v': reason_fit_too_large},
         {'k': 'preference.style', 'v': reason_preference_style},
         {'k': 'preference.changed_mind', 'v': reason_preference_changed_mind},
         {'k': 'preference.better_price', 'v': reason_preference_better_price},
         {'k': 'preference.ordered_by_mistake', 'v': reason_preference_ordered_by_mistake},
         {'k': 'description.not_as_described', 'v': reason_description_not_as_described},
         {'k': 'quality.defective', 'v': reason_quality_defective},
         {'k': 'quality.poor_quality', 'v': reason_quality_poor_quality},
         {'k': 'quality.missing_parts', 'v': reason_quality_missing_parts},
         {'k': 'logistics.arrived_damaged', 'v': reason_logistics_arrived_damaged},
         {'k': 'logistics.wrong_item_sent', 'v': reason_logistics_wrong_item_sent},
         {'k': 'logistics.arrived_late', 'v': reason_logistics_arrived_late},
         {'k': 'other', 'v': reason_other}
       ], pair -> pair.v > 0)))::VARCHAR AS reason_mix,
       mature, within_n_complete, computed_at
FROM query_table(counts);

CREATE OR REPLACE VIEW quality_weekly AS SELECT * FROM quality_rates('quality_weekly_counts');
CREATE OR REPLACE VIEW quality_daily AS SELECT * FROM quality_rates('quality_daily_all_counts');
