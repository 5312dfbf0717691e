-- 012: the ops job's tables without indexes (no PRIMARY KEY, no (kind, status) index).
--
-- A server killed (SIGKILL) while the ops job ran could not run the ops job again after restarting:
-- every run ended the whole process with a DuckDB FatalException — first "Failed to delete all rows
-- from index. Only deleted 0 out of 164 rows" on refund_exceptions (whose indexed status column the
-- job updates), then, while reverting that failed commit, "Failed to append to
-- PRIMARY_return_stage_times_0: duplicate key". The indexes rebuilt from the write-ahead log did not
-- match the rows (DuckDB 1.5.6; duckdb/duckdb#23645, #24744). The same database with these three
-- tables recreated without indexes ran the ops job cleanly. Nothing needs them: the job writes
-- unique keys itself (exception_id is a hash of return and kind, inserted only when absent; the
-- other two are rewritten whole each run), and readers scan these tables, which hold one row per
-- return at most. DuckDB cannot drop a constraint, so each table is copied, dropped and renamed.

CREATE TABLE refund_exceptions_012 (
  exception_id    VARCHAR NOT NULL,
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
INSERT INTO refund_exceptions_012 SELECT * FROM refund_exceptions;
DROP TABLE refund_exceptions;
ALTER TABLE refund_exceptions_012 RENAME TO refund_exceptions;

CREATE TABLE return_stage_times_012 (
  return_id     VARCHAR NOT NULL,
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
INSERT INTO return_stage_times_012 SELECT * FROM return_stage_times;
DROP TABLE return_stage_times;
ALTER TABLE return_stage_times_012 RENAME TO return_stage_times;

CREATE TABLE ops_stuck_returns_012 (
  return_id   VARCHAR NOT NULL,
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
INSERT INTO ops_stuck_returns_012 SELECT * FROM ops_stuck_returns;
DROP TABLE ops_stuck_returns;
ALTER TABLE ops_stuck_returns_012 RENAME TO ops_stuck_returns;
