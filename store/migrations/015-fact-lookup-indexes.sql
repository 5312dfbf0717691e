-- 015: indexes for reading one customer's facts (a flag's timeline and evidence, its ring).
--
-- Without them every read of a fact table for one customer scanned the whole table: GET
-- /v1/flags/{id} cost ≈ 0.4 s of CPU on 100k customers × 365 days, and grows with the marketplace,
-- not with the customer (docs/api.md § Read routes). DuckDB answers `customer_id = $id` and
-- `customer_id = ANY($ids)` from an ART index, and inner joins or IN-subqueries on an indexed key
-- from a small build side as index lookups.
--
-- Why these tables may have indexes when the ops tables may not (migration 012): the DuckDB 1.5.6
-- bugs that left an index disagreeing with its rows after a crash need deletes or updates of
-- indexed rows; ingest only appends to the fact tables and nothing else writes them. The indexes
-- are not unique (an order has several lines, a customer several orders), so they never refuse a
-- row. Measured: `retour import` of 323k simulated events cost the same CPU with and without them
-- (docs/ingest.md § Tables and § Speed, "Fact lookup indexes").
CREATE INDEX orders_by_customer ON orders (customer_id);
CREATE INDEX order_lines_by_order ON order_lines (order_id);
CREATE INDEX deliveries_by_customer ON deliveries (customer_id);
CREATE INDEX deliveries_by_order ON deliveries (order_id);
CREATE INDEX return_requests_by_customer ON return_requests (customer_id);
CREATE INDEX return_lines_by_customer ON return_lines (customer_id);
CREATE INDEX return_lines_by_return ON return_lines (return_id);
CREATE INDEX return_receipts_by_return ON return_receipts (return_id);
CREATE INDEX inspections_by_return ON inspections (return_id);
CREATE INDEX return_closures_by_return ON return_closures (return_id);
CREATE INDEX refunds_by_customer ON refunds (customer_id);
CREATE INDEX claims_by_customer ON claims (customer_id);
CREATE INDEX return_feedback_by_customer ON return_feedback (customer_id);
