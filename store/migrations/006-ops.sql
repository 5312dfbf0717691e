-- 006: returns operations — stage times, percentiles, stuck returns, refund exceptions, feedback.
-- Written by the ops job (jobs/ops/ops-job.ts). Everything but refund_exceptions is recomputed on
-- each run; refund_exceptions keeps its rows (stable id, first evidence) and only changes status.

-- One row per return with a stored request: when it reached each milestone and the hours between.
-- category/seller_id are those of the return's most valuable line; week = ISO week (Monday) of the request.
CREATE TABLE return_stage_times (
  return_id     VARCHAR PRIMARY KEY,
  order_id      VARCHAR NOT NULL,
  customer_id   VARCHAR NOT NULL,
  category      VARCHAR,
  seller_id     VARCHAR,
  method        VARCHAR NOT NULL,
  resolution    VARCHAR NOT NULL,
  week          DATE NOT NULL,
  requested_at  TIMESTAMPTZ NOT NULL,
  received_at   TIMESTAMPTZ,
  inspected_at  TIMESTAMPTZ,
  refunded_at   TIMESTAMPTZ,
  closed_at     TIMESTAMPTZ,
  close_outcome VARCHAR,
  -- NULL when either end is missing or the order is reversed (an instant refund before receipt).
  hours_requested_to_received DOUBLE,
  hours_received_to_inspected DOUBLE,
  hours_inspected_to_refunded DOUBLE,
  hours_refunded_to_closed    DOUBLE,
  hours_received_to_refunded  DOUBLE,   -- what the refund SLA measures
  hours_requested_to_closed   DOUBLE,
  computed_at   TIMESTAMPTZ NOT NULL
);

-- Percentiles (linear interpolation, DuckDB quantile_cont) of each stage's hours. week = ISO week in
-- which the stage *ended* (NULL = all weeks); dimension 'all' has dimension_value 'all'.
CREATE TABLE ops_stage_percentiles (
  dimension       VARCHAR NOT NULL,        -- category, seller, method, all
  dimension_value VARCHAR NOT NULL,
  week            DATE,
  stage           VARCHAR NOT NULL,        -- requested_to_received, received_to_inspected, …
  count           BIGINT NOT NULL,
  p50_hours       DOUBLE NOT NULL,
  p90_hours       DOUBLE NOT NULL,
  p99_hours       DOUBLE NOT NULL,
  computed_at     TIMESTAMPTZ NOT NULL
);

-- Open returns waiting in one stage longer than its limit (RETOUR_OPS_STUCK_DAYS), as of the run.
CREATE TABLE ops_stuck_returns (
  return_id   VARCHAR PRIMARY KEY,
  stage       VARCHAR NOT NULL,            -- awaiting_receipt, awaiting_inspection, awaiting_refund, awaiting_close
  since       TIMESTAMPTZ NOT NULL,
  age_hours   DOUBLE NOT NULL,
  limit_hours DOUBLE NOT NULL,
  customer_id VARCHAR NOT NULL,
  category    VARCHAR,
  seller_id   VARCHAR,
  method      VARCHAR NOT NULL,
  computed_at TIMESTAMPTZ NOT NULL
);

-- Refund checks. exception_id = 'rex_' + first 24 hex digits of sha256(return_id || '|' || kind), so
-- a (return, kind) pair has one row for ever; detected_at and evidence are those of the first run
-- that saw it. Later runs only move status (open ↔ resolved) and set resolved_at/resolution.
CREATE TABLE refund_exceptions (
  exception_id    VARCHAR PRIMARY KEY,
  return_id       VARCHAR NOT NULL,
  kind            VARCHAR NOT NULL,        -- over_refund, duplicate_refund, missing_refund, late_refund, refund_without_receipt, outside_window
  detected_at     TIMESTAMPTZ NOT NULL,    -- the job run (its `now`) that first saw it
  observed_at     TIMESTAMPTZ,             -- when the facts made it true (refund issued, SLA passed, request made)
  amount          BIGINT,                  -- minor units, currency below
  expected_amount BIGINT,
  currency        VARCHAR,
  evidence        VARCHAR NOT NULL,        -- JSON object, kind-specific
  status          VARCHAR NOT NULL,        -- open, resolved
  resolved_at     TIMESTAMPTZ,
  resolution      VARCHAR,
  customer_id     VARCHAR,
  category        VARCHAR,
  seller_id       VARCHAR,
  updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX refund_exceptions_kind_status ON refund_exceptions (kind, status);

-- Feedback ratings and comments per dimension; 'stage' = the stage the return was in when the
-- customer wrote (closed, awaiting_refund, …).
CREATE TABLE ops_feedback_summary (
  dimension        VARCHAR NOT NULL,       -- category, seller, method, stage, all
  dimension_value  VARCHAR NOT NULL,
  responses        BIGINT NOT NULL,
  mean_rating      DOUBLE NOT NULL,
  low_rating_share DOUBLE NOT NULL,        -- share of ratings 1–2
  comments         BIGINT NOT NULL,
  recent_comments  VARCHAR NOT NULL,       -- JSON array of up to 3 latest comments
  computed_at      TIMESTAMPTZ NOT NULL
);

-- How ratings differ for returns with a slow stage (hours above that stage's overall p90) or a
-- refund exception, against rated returns without it.
CREATE TABLE ops_feedback_links (
  factor              VARCHAR NOT NULL,    -- slow_stage, refund_exception
  factor_value        VARCHAR NOT NULL,    -- the stage or the exception kind
  with_responses      BIGINT NOT NULL,
  with_mean_rating    DOUBLE,
  without_responses   BIGINT NOT NULL,
  without_mean_rating DOUBLE,
  rating_difference   DOUBLE,              -- with − without
  computed_at         TIMESTAMPTZ NOT NULL
);
