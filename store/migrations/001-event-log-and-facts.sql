-- 001: the raw event log, ingest bookkeeping (offsets, duplicates, quarantine) and typed fact tables.
-- Facts are stored as they arrive (an inspection may come before its return request); jobs derive state.

CREATE TABLE events (
  event_id     VARCHAR PRIMARY KEY,
  type         VARCHAR NOT NULL,
  source       VARCHAR NOT NULL,
  subject      VARCHAR,
  event_time   TIMESTAMPTZ NOT NULL,
  customer_id  VARCHAR,
  payload      VARCHAR NOT NULL,        -- the whole CloudEvent as received (JSON text)
  topic        VARCHAR NOT NULL,        -- Kafka topic, or 'import:<file>' for imports
  kafka_partition INTEGER NOT NULL,
  kafka_offset BIGINT NOT NULL,
  ingested_at  TIMESTAMPTZ NOT NULL
);

-- Next offset to read per (topic, partition): written in the same transaction as the data.
CREATE TABLE ingest_offsets (
  topic           VARCHAR NOT NULL,
  kafka_partition INTEGER NOT NULL,
  next_offset     BIGINT NOT NULL,
  updated_at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (topic, kafka_partition)
);

-- Exact re-sends (same id, same content): counted, not stored again.
CREATE TABLE ingest_duplicates (
  event_id        VARCHAR NOT NULL,
  topic           VARCHAR NOT NULL,
  kafka_partition INTEGER NOT NULL,
  kafka_offset    BIGINT NOT NULL,
  seen_at         TIMESTAMPTZ NOT NULL
);

CREATE SEQUENCE quarantine_seq START 1;
CREATE TABLE quarantine (
  quarantine_id   BIGINT PRIMARY KEY DEFAULT nextval('quarantine_seq'),
  raw             BLOB NOT NULL,
  error_code      VARCHAR NOT NULL,
  json_path       VARCHAR NOT NULL,
  message         VARCHAR NOT NULL,
  event_id        VARCHAR,
  event_type      VARCHAR,
  topic           VARCHAR NOT NULL,
  kafka_partition INTEGER NOT NULL,
  kafka_offset    BIGINT NOT NULL,
  quarantined_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE orders (
  order_id            VARCHAR NOT NULL,
  customer_id         VARCHAR NOT NULL,
  placed_at           TIMESTAMPTZ NOT NULL,
  currency            VARCHAR NOT NULL,
  channel             VARCHAR,
  address_hash        VARCHAR,
  payment_fingerprint VARCHAR,
  device_id           VARCHAR,
  email_hash          VARCHAR,
  event_id            VARCHAR NOT NULL
);

CREATE TABLE order_lines (
  order_id    VARCHAR NOT NULL,
  line_id     VARCHAR NOT NULL,
  customer_id VARCHAR NOT NULL,
  product_id  VARCHAR NOT NULL,
  seller_id   VARCHAR,
  category    VARCHAR NOT NULL,
  quantity    INTEGER NOT NULL,
  unit_price  BIGINT NOT NULL,        -- minor units
  currency    VARCHAR NOT NULL,
  size        VARCHAR,
  color       VARCHAR,
  placed_at   TIMESTAMPTZ NOT NULL,
  event_id    VARCHAR NOT NULL
);

-- line_id NULL = the whole order was delivered (lineIds absent in the event).
CREATE TABLE deliveries (
  order_id     VARCHAR NOT NULL,
  customer_id  VARCHAR NOT NULL,
  line_id      VARCHAR,
  delivered_at TIMESTAMPTZ NOT NULL,
  event_id     VARCHAR NOT NULL
);

CREATE TABLE return_requests (
  return_id    VARCHAR NOT NULL,
  order_id     VARCHAR NOT NULL,
  customer_id  VARCHAR NOT NULL,
  requested_at TIMESTAMPTZ NOT NULL,
  method       VARCHAR NOT NULL,
  resolution   VARCHAR NOT NULL,
  event_id     VARCHAR NOT NULL
);

CREATE TABLE return_lines (
  return_id    VARCHAR NOT NULL,
  order_id     VARCHAR NOT NULL,
  customer_id  VARCHAR NOT NULL,
  line_id      VARCHAR NOT NULL,
  product_id   VARCHAR NOT NULL,
  quantity     INTEGER NOT NULL,
  reason       VARCHAR NOT NULL,
  comment      VARCHAR,
  requested_at TIMESTAMPTZ NOT NULL,
  event_id     VARCHAR NOT NULL
);

CREATE TABLE return_receipts (
  return_id    VARCHAR NOT NULL,
  line_id      VARCHAR NOT NULL,
  quantity     INTEGER NOT NULL,
  received_at  TIMESTAMPTZ NOT NULL,
  weight_grams INTEGER,               -- of the whole parcel, repeated on each line
  event_id     VARCHAR NOT NULL
);

CREATE TABLE inspections (
  return_id    VARCHAR NOT NULL,
  line_id      VARCHAR NOT NULL,
  inspected_at TIMESTAMPTZ NOT NULL,
  condition    VARCHAR NOT NULL,
  fault        VARCHAR,
  disposition  VARCHAR NOT NULL,
  event_id     VARCHAR NOT NULL
);

CREATE TABLE refunds (
  refund_id   VARCHAR NOT NULL,
  return_id   VARCHAR,
  order_id    VARCHAR NOT NULL,
  customer_id VARCHAR NOT NULL,
  issued_at   TIMESTAMPTZ NOT NULL,
  amount      BIGINT NOT NULL,
  currency    VARCHAR NOT NULL,
  method      VARCHAR NOT NULL,
  event_id    VARCHAR NOT NULL
);

CREATE TABLE return_closures (
  return_id VARCHAR NOT NULL,
  closed_at TIMESTAMPTZ NOT NULL,
  outcome   VARCHAR NOT NULL,
  event_id  VARCHAR NOT NULL
);

CREATE TABLE claims (
  claim_id    VARCHAR NOT NULL,
  order_id    VARCHAR NOT NULL,
  customer_id VARCHAR NOT NULL,
  opened_at   TIMESTAMPTZ NOT NULL,
  kind        VARCHAR NOT NULL,
  event_id    VARCHAR NOT NULL
);

CREATE TABLE return_feedback (
  return_id    VARCHAR NOT NULL,
  customer_id  VARCHAR NOT NULL,
  submitted_at TIMESTAMPTZ NOT NULL,
  rating       INTEGER NOT NULL,
  comment      VARCHAR,
  event_id     VARCHAR NOT NULL
);

CREATE TABLE risk_decisions (
  decision_id VARCHAR NOT NULL,
  customer_id VARCHAR NOT NULL,
  flag_id     VARCHAR,
  decided_at  TIMESTAMPTZ NOT NULL,
  decided_by  VARCHAR NOT NULL,
  verdict     VARCHAR NOT NULL,
  fraud_type  VARCHAR,
  note        VARCHAR,
  event_id    VARCHAR NOT NULL
);

-- Batch job bookkeeping, shared by every job (quality, risk, ops, …).
CREATE SEQUENCE job_run_seq START 1;
CREATE TABLE job_runs (
  run_id      BIGINT PRIMARY KEY DEFAULT nextval('job_run_seq'),
  job         VARCHAR NOT NULL,
  started_at  TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  status      VARCHAR NOT NULL,        -- running, succeeded, failed
  rows_written BIGINT,
  error       VARCHAR,
  details     VARCHAR                  -- JSON: what the run covered (e.g. cohorts recomputed)
);
