-- 004: customer risk — point-in-time features, linked accounts (rings), scores, flags and the model registry.
-- Stable columns read by the API and by scripts: see docs/risk.md. More columns may be added, never renamed.

-- Latest features per customer (one row per customer, replaced by each risk run). Training rows are
-- computed as of each label's date and are not stored here.
CREATE TABLE customer_features (
  customer_id                    VARCHAR PRIMARY KEY,
  as_of                          TIMESTAMPTZ NOT NULL,
  account_age_days               DOUBLE,
  orders_30d                     DOUBLE,
  orders_365d                    DOUBLE,
  items_bought_365d              DOUBLE,
  value_bought_365d              DOUBLE,
  returns_30d                    DOUBLE,
  items_returned_90d             DOUBLE,
  items_returned_365d            DOUBLE,
  item_return_rate_90d           DOUBLE,
  item_return_rate_365d          DOUBLE,
  value_return_rate_365d         DOUBLE,
  returned_value_90d             DOUBLE,
  returned_value_365d            DOUBLE,
  mean_days_to_return_365d       DOUBLE,
  late_window_return_share_365d  DOUBLE,
  late_window_returns_365d       DOUBLE,
  fit_reason_share_365d          DOUBLE,
  new_condition_share_365d       DOUBLE,
  defect_claim_lines_365d        DOUBLE,
  no_fault_found_share_365d      DOUBLE,
  not_declared_30d               DOUBLE,
  not_declared_90d               DOUBLE,
  not_declared_365d              DOUBLE,
  used_returns_90d               DOUBLE,
  used_returns_365d              DOUBLE,
  refunds_without_receipt_365d   DOUBLE,
  unshipped_returns_365d         DOUBLE,
  light_parcels_365d             DOUBLE,
  claims_90d                     DOUBLE,
  claims_365d                    DOUBLE,
  bracketing_orders_365d         DOUBLE,
  ring_size                      DOUBLE,
  ring_returned_value_365d       DOUBLE,
  ring_not_declared_365d         DOUBLE,
  ring_refunds_without_receipt_365d DOUBLE,
  computed_at                    TIMESTAMPTZ NOT NULL
);

-- One row per (customer, linked customer, shared attribute); both directions are stored.
CREATE TABLE customer_links (
  customer_id        VARCHAR NOT NULL,
  linked_customer_id VARCHAR NOT NULL,
  via                VARCHAR NOT NULL,      -- 'address' | 'payment' | 'device'
  shared_value_hash  VARCHAR NOT NULL,
  ring_id            VARCHAR NOT NULL,
  computed_at        TIMESTAMPTZ NOT NULL
);

-- Connected components of two or more customers linked through any shared attribute.
CREATE TABLE customer_rings (
  ring_id                       VARCHAR PRIMARY KEY,
  size                          INTEGER NOT NULL,
  returned_value_365d           DOUBLE NOT NULL,
  not_declared_365d             DOUBLE NOT NULL,
  refunds_without_receipt_365d  DOUBLE NOT NULL,
  item_return_rate_365d         DOUBLE,
  computed_at                   TIMESTAMPTZ NOT NULL
);

-- customer_id → ring (only customers in a ring); the features read it.
CREATE TABLE customer_ring_members (
  customer_id VARCHAR PRIMARY KEY,
  ring_id     VARCHAR NOT NULL
);

-- Latest score per customer with activity. score is NULL when the customer could not be scored
-- (status 'unscored', tier 'unscored'): never a silent 0.
CREATE TABLE customer_scores (
  customer_id     VARCHAR PRIMARY KEY,
  score           DOUBLE,
  tier            VARCHAR NOT NULL,        -- 'low' | 'review' | 'high' | 'unscored'
  status          VARCHAR NOT NULL,        -- 'scored' | 'unscored'
  reasons         VARCHAR NOT NULL,        -- JSON array of { code, text, weight }
  model_version   VARCHAR,                 -- NULL = rules only (no model in service)
  computed_at     TIMESTAMPTZ NOT NULL,
  fraud_type_hint VARCHAR,
  model_score     DOUBLE,                  -- calibrated forest probability alone
  rule_score      DOUBLE,                  -- rules alone (noisy-OR of fired rule weights)
  evidence_count  INTEGER NOT NULL,        -- hard evidence count, used to decide whether a closed flag may reopen
  unscored_reason VARCHAR
);

CREATE TABLE risk_flags (
  flag_id        VARCHAR PRIMARY KEY,
  customer_id    VARCHAR NOT NULL,
  status         VARCHAR NOT NULL,          -- 'open' | 'confirmed' | 'dismissed' | 'expired'
  tier           VARCHAR NOT NULL,
  score          DOUBLE NOT NULL,
  fraud_type     VARCHAR,
  reasons        VARCHAR NOT NULL,          -- JSON array of { code, text, weight }
  evidence_count INTEGER NOT NULL,
  opened_at      TIMESTAMPTZ NOT NULL,
  updated_at     TIMESTAMPTZ NOT NULL,
  closed_at      TIMESTAMPTZ,
  decision_id    VARCHAR,
  model_version  VARCHAR,
  published_at   TIMESTAMPTZ                -- when the new flag went to RETOUR_TOPIC_FLAGS
);

CREATE TABLE model_registry (
  version                 VARCHAR PRIMARY KEY,
  created_at              TIMESTAMPTZ NOT NULL,
  algorithm               VARCHAR NOT NULL,
  features                VARCHAR NOT NULL,   -- JSON array of feature names, in model column order
  params                  VARCHAR NOT NULL,   -- JSON: forest settings, label horizon, calibration
  training_window_start   TIMESTAMPTZ NOT NULL,
  training_window_end     TIMESTAMPTZ NOT NULL,
  validation_window_start TIMESTAMPTZ NOT NULL,
  validation_window_end   TIMESTAMPTZ NOT NULL,
  metrics                 VARCHAR NOT NULL,   -- JSON: roc_auc, pr_auc, precision_at_k, brier, calibration, rows
  status                  VARCHAR NOT NULL,   -- 'candidate' | 'serving' | 'retired'
  model                   VARCHAR NOT NULL,   -- JSON of the serialized forest
  promoted_at             TIMESTAMPTZ
);
