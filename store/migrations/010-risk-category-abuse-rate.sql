-- 010: customer_features columns for the features added in session 3 (models/risk/risk-feature-names.ts,
-- docs/risk.md "Features"): category_abuse_rate_365d — the mean, over the items a customer bought in
-- 365 days, of their category's rate of returned items inspected with evidence of abuse per item sold;
-- ring_other_evidence_365d — worn-late returns, light parcels, not-received claims after delivery and
-- unused no-fault defect claims summed over the customer's ring.
ALTER TABLE customer_features ADD COLUMN category_abuse_rate_365d DOUBLE;
ALTER TABLE customer_features ADD COLUMN ring_other_evidence_365d DOUBLE;
