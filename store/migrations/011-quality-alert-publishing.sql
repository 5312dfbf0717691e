-- 011: quality alerts are published to RETOUR_TOPIC_QUALITY_ALERTS when Kafka is configured
-- (quality.alert.opened, quality.alert.resolved); this table says what has been sent, so a Kafka
-- outage delays a notification but never loses or repeats it.
--
-- A table of its own, not columns added to quality_alerts: DuckDB (1.5.6) cannot replay an
-- ALTER TABLE … ADD COLUMN from its write-ahead log on a table whose column defaults to nextval()
-- ("Calling DatabaseManager::GetDefaultDatabase with no default database set"), so a process
-- killed before the next checkpoint would leave a database that no longer opens (duckdb/duckdb#18259,
-- #20543, #22044)
-- (test/store/reopen-after-kill.test.ts).
CREATE TABLE quality_alert_publications (
  alert_id              BIGINT PRIMARY KEY,     -- quality_alerts.alert_id
  opened_published_at   TIMESTAMPTZ,            -- when quality.alert.opened was sent
  resolved_published_at TIMESTAMPTZ             -- when quality.alert.resolved was sent
);
-- Alerts already resolved before this version are history, not news: nothing is sent for them.
INSERT INTO quality_alert_publications
SELECT alert_id, first_detected_at, resolved_at FROM quality_alerts WHERE status = 'resolved';
