-- dashboard_alerts_firing: how many alert rules are firing now (the summary's badge).
-- ClickHouse variant: alert_state is a ReplacingMergeTree (latest updated_at wins), read FINAL.
SELECT count() AS firing FROM alert_state FINAL WHERE state = 'firing'
