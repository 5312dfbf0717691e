-- 014: the typical parcel weight of each product that the latest risk run weighed parcels against
-- (its features' product_weight: the median weight per unit of one-line returns, all customers, all
-- time). Kept so that a flag's evidence weighs the customer's parcels exactly as the run that wrote
-- its reasons did, without computing the medians again on every request
-- (store/api/read-reason-evidence.ts). Replaced whole by each risk run; no index (a few rows per product).
CREATE TABLE risk_product_weights (
  as_of      TIMESTAMPTZ NOT NULL,  -- the run's as_of (job_runs.started_at, the flags' updated_at)
  product_id VARCHAR NOT NULL,
  grams      DOUBLE NOT NULL
);
