-- 007: customer_features columns for the features added after 004 (models/risk/risk-feature-names.ts);
-- the risk job stores the features that have a column here, so without these it scored with them
-- but did not keep them. One DOUBLE each, like the rest (docs/risk.md "Features").
ALTER TABLE customer_features ADD COLUMN defect_claim_share_365d DOUBLE;
ALTER TABLE customer_features ADD COLUMN off_weight_parcels_365d DOUBLE;
ALTER TABLE customer_features ADD COLUMN unexpected_no_fault_365d DOUBLE;
ALTER TABLE customer_features ADD COLUMN late_used_returns_365d DOUBLE;
ALTER TABLE customer_features ADD COLUMN delivered_not_received_claims_365d DOUBLE;
ALTER TABLE customer_features ADD COLUMN no_fault_defect_claims_365d DOUBLE;
ALTER TABLE customer_features ADD COLUMN no_fault_share_shrunk_365d DOUBLE;
ALTER TABLE customer_features ADD COLUMN unused_defect_claims_365d DOUBLE;
ALTER TABLE customer_features ADD COLUMN defect_claim_excess_365d DOUBLE;
ALTER TABLE customer_features ADD COLUMN refunded_value_without_receipt_365d DOUBLE;
