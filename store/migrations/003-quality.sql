-- 003: product-quality cohorts, their weekly/daily rates and quality alerts (jobs/quality).
-- Everything here is derived from the fact tables of 001 and can be rebuilt (`retour jobs run quality --full`).

-- Day-level delivery cohorts: one row per product × category × seller × delivery day (UTC). Every
-- table below is rolled up from these rows, so incremental runs only recompute touched cohorts here.
CREATE TABLE quality_cohort_base (
  product_id  VARCHAR NOT NULL,
  category    VARCHAR NOT NULL,
  seller_id   VARCHAR,                          -- NULL when the order line had no seller
  day         DATE NOT NULL,                    -- UTC day of the line's first delivery
  return_window_days INTEGER NOT NULL,          -- the category's return window when computed
  delivered_units BIGINT NOT NULL,
  returned_units BIGINT NOT NULL,               -- requested within the return window
  returned_within_n_units BIGINT NOT NULL,      -- requested within N days of delivery
  returned_within_detection_units BIGINT NOT NULL, -- within the detection horizon (alerts)
  product_fault_units BIGINT NOT NULL,
  product_fault_within_n_units BIGINT NOT NULL,
  product_fault_within_detection_units BIGINT NOT NULL,
  claimed_defect_units BIGINT NOT NULL,         -- reason quality.defective, within the window
  confirmed_defect_units BIGINT NOT NULL,       -- latest inspection fault = manufacturing, within the window
  -- returned units per reason of the v1 vocabulary (domain/events/vocabulary.ts; a test keeps them equal),
  -- within the window, then within the detection horizon; wide columns so every roll-up is a plain SUM
  reason_fit_too_small BIGINT NOT NULL,
  reason_fit_too_large BIGINT NOT NULL,
  reason_preference_style BIGINT NOT NULL,
  reason_preference_changed_mind BIGINT NOT NULL,
  reason_preference_better_price BIGINT NOT NULL,
  reason_preference_ordered_by_mistake BIGINT NOT NULL,
  reason_description_not_as_described BIGINT NOT NULL,
  reason_quality_defective BIGINT NOT NULL,
  reason_quality_poor_quality BIGINT NOT NULL,
  reason_quality_missing_parts BIGINT NOT NULL,
  reason_logistics_arrived_damaged BIGINT NOT NULL,
  reason_logistics_wrong_item_sent BIGINT NOT NULL,
  reason_logistics_arrived_late BIGINT NOT NULL,
  reason_other BIGINT NOT NULL,
  reason_detection_fit_too_small BIGINT NOT NULL,
  reason_detection_fit_too_large BIGINT NOT NULL,
  reason_detection_preference_style BIGINT NOT NULL,
  reason_detection_preference_changed_mind BIGINT NOT NULL,
  reason_detection_preference_better_price BIGINT NOT NULL,
  reason_detection_preference_ordered_by_mistake BIGINT NOT NULL,
  reason_detection_description_not_as_described BIGINT NOT NULL,
  reason_detection_quality_defective BIGINT NOT NULL,
  reason_detection_quality_poor_quality BIGINT NOT NULL,
  reason_detection_quality_missing_parts BIGINT NOT NULL,
  reason_detection_logistics_arrived_damaged BIGINT NOT NULL,
  reason_detection_logistics_wrong_item_sent BIGINT NOT NULL,
  reason_detection_logistics_arrived_late BIGINT NOT NULL,
  reason_detection_other BIGINT NOT NULL
);

-- Counts per scope × period, written by the job. Readers use the views quality_weekly and
-- quality_daily below, which add the rates, their 95% Wilson bounds and reason_mix as JSON text:
-- computing those for the few rows a reader asks for is cheaper than for every row of every run.
CREATE TABLE quality_weekly_counts (
  scope        VARCHAR NOT NULL,                -- 'product' | 'category' | 'seller'
  scope_id     VARCHAR NOT NULL,
  period_start DATE NOT NULL,                   -- ISO-week Monday (weekly) or the day (daily)
  period_end   DATE NOT NULL,                   -- exclusive
  category     VARCHAR,                         -- product scope: the product's main category; category scope: itself
  seller_id    VARCHAR,                         -- product scope: the seller of its largest day cohort
  return_window_days INTEGER NOT NULL,
  within_n_days INTEGER NOT NULL,
  delivered_units BIGINT NOT NULL,
  returned_units BIGINT NOT NULL,
  returned_within_n_units BIGINT NOT NULL,
  product_fault_units BIGINT NOT NULL,
  product_fault_within_n_units BIGINT NOT NULL,
  claimed_defect_units BIGINT NOT NULL,
  confirmed_defect_units BIGINT NOT NULL,
  -- returned units per reason (within the window), as in quality_cohort_base
  reason_fit_too_small BIGINT NOT NULL,
  reason_fit_too_large BIGINT NOT NULL,
  reason_preference_style BIGINT NOT NULL,
  reason_preference_changed_mind BIGINT NOT NULL,
  reason_preference_better_price BIGINT NOT NULL,
  reason_preference_ordered_by_mistake BIGINT NOT NULL,
  reason_description_not_as_described BIGINT NOT NULL,
  reason_quality_defective BIGINT NOT NULL,
  reason_quality_poor_quality BIGINT NOT NULL,
  reason_quality_missing_parts BIGINT NOT NULL,
  reason_logistics_arrived_damaged BIGINT NOT NULL,
  reason_logistics_wrong_item_sent BIGINT NOT NULL,
  reason_logistics_arrived_late BIGINT NOT NULL,
  reason_other BIGINT NOT NULL,
  mature       BOOLEAN NOT NULL,                -- the return window has passed for every unit of the cohort
  within_n_complete BOOLEAN NOT NULL,           -- N days have passed for every unit: *_within_n_* are final
  computed_at  TIMESTAMPTZ NOT NULL
  -- one row per (scope, scope_id, period_start), kept so by the job; no index, so bulk rebuilds stay fast
);
CREATE TABLE quality_daily_counts AS SELECT * FROM quality_weekly_counts LIMIT 0;

-- 95% Wilson score bounds (z = normalQuantile(0.975)); the same formula as
-- models/stats/wilson-interval.ts, which test/store/quality/quality-wilson-sql.test.ts keeps equal.
CREATE MACRO quality_wilson_low(x, n) AS CASE
  WHEN n IS NULL OR n = 0 THEN NULL WHEN x = 0 THEN 0.0
  ELSE greatest(0.0, (x::DOUBLE + 1.9207294103470627::DOUBLE - 1.959963984540054::DOUBLE * sqrt(x::DOUBLE * (n - x) / n + 0.9603647051735313::DOUBLE)) / (n::DOUBLE + 3.8414588206941254::DOUBLE)) END;
CREATE MACRO quality_wilson_high(x, n) AS CASE
  WHEN n IS NULL OR n = 0 THEN NULL WHEN x = n THEN 1.0
  ELSE least(1.0, (x::DOUBLE + 1.9207294103470627::DOUBLE + 1.959963984540054::DOUBLE * sqrt(x::DOUBLE * (n - x) / n + 0.9603647051735313::DOUBLE)) / (n::DOUBLE + 3.8414588206941254::DOUBLE)) END;

CREATE VIEW quality_weekly AS
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
FROM quality_weekly_counts;

CREATE VIEW quality_daily AS
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
FROM quality_daily_counts;

CREATE SEQUENCE quality_alert_seq START 1;
CREATE TABLE quality_alerts (
  alert_id        BIGINT PRIMARY KEY DEFAULT nextval('quality_alert_seq'),
  product_id      VARCHAR NOT NULL,
  category        VARCHAR,
  seller_id       VARCHAR,
  period_start    DATE NOT NULL,                -- ISO-week Monday of the run that first detected it
  metric          VARCHAR NOT NULL,             -- 'product_fault_rate' | 'reason_mix'
  window_start    DATE NOT NULL,                -- delivery days tested in the latest evaluation [start, end)
  window_end      DATE NOT NULL,
  baseline_start  DATE NOT NULL,                -- the baseline frozen at first detection [start, end)
  baseline_end    DATE NOT NULL,
  baseline_rate   DOUBLE,
  current_rate    DOUBLE,
  current_low     DOUBLE,
  current_high    DOUBLE,
  p_value         DOUBLE,
  q_value         DOUBLE,                       -- Benjamini–Hochberg at first detection
  delivered_units BIGINT NOT NULL,              -- current window
  current_units   BIGINT NOT NULL,              -- current window: product-fault units (rate) or returned units (mix)
  baseline_units  BIGINT NOT NULL,              -- baseline delivered units
  baseline_events BIGINT NOT NULL,              -- baseline product-fault units (rate) or returned units (mix)
  baseline_reasons VARCHAR,                     -- JSON reason → units of the frozen baseline (mix)
  status          VARCHAR NOT NULL,             -- 'new' | 'ongoing' | 'resolved'
  severity        DOUBLE NOT NULL,              -- excess units over the baseline rate (see docs/quality.md)
  top_reasons     VARCHAR NOT NULL,             -- JSON [{reason, units, share, baselineShare}]
  top_comment_words VARCHAR NOT NULL,           -- JSON [{word, count}]
  first_detected_at TIMESTAMPTZ NOT NULL,
  updated_at      TIMESTAMPTZ NOT NULL,
  resolved_at     TIMESTAMPTZ
);

-- Incremental bookkeeping: what the last successful run saw.
CREATE TABLE quality_state (
  state_key   VARCHAR PRIMARY KEY,              -- 'quality'
  ingested_watermark TIMESTAMPTZ,               -- max events.ingested_at processed
  as_of       TIMESTAMPTZ NOT NULL,             -- the run's "now": facts after it were not counted
  settings    VARCHAR NOT NULL,                 -- JSON of the settings the cohorts were computed with
  updated_at  TIMESTAMPTZ NOT NULL
);
