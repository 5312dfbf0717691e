-- 011: quality alerts are published to RETOUR_TOPIC_QUALITY_ALERTS when Kafka is configured
-- (quality.alert.opened, quality.alert.resolved); these columns say what has been sent, so a Kafka
-- outage delays a notification but never loses or repeats it.
ALTER TABLE quality_alerts ADD COLUMN opened_published_at TIMESTAMPTZ;
ALTER TABLE quality_alerts ADD COLUMN resolved_published_at TIMESTAMPTZ;
-- Alerts already resolved before this version are history, not news: nothing is sent for them.
UPDATE quality_alerts SET opened_published_at = first_detected_at, resolved_published_at = resolved_at WHERE status = 'resolved';
