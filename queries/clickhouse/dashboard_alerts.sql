-- dashboard_alerts: alert rule states kept by the analyzer, firing first.
-- ClickHouse variant: alert_state read FINAL (ReplacingMergeTree).
SELECT fingerprint, rule, severity, state, scope, value, threshold,
  toUnixTimestamp64Milli(since) AS since_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms
FROM alert_state FINAL
ORDER BY multiIf(state = 'firing', 0, state = 'pending', 1, 2),
  multiIf(severity = 'critical', 0, severity = 'warning', 1, 2), since DESC NULLS LAST, fingerprint
LIMIT 500
