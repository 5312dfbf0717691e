-- 010: customer_features column for category_abuse_rate_365d (models/risk/risk-feature-names.ts):
-- the mean, over the items a customer bought in 365 days, of their category's rate of returned items
-- inspected with evidence of abuse per item sold (docs/risk.md "Features").
ALTER TABLE customer_features ADD COLUMN category_abuse_rate_365d DOUBLE;
