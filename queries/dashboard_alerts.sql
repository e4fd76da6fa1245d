-- dashboard_alerts: alert rule states kept by the analyzer, firing first.
SELECT fingerprint, rule, severity, state, scope, value, threshold, epoch_ms(since) AS since_ms, epoch_ms(updated_at) AS updated_ms
FROM alert_state
ORDER BY CASE state WHEN 'firing' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END,
  CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, since DESC NULLS LAST, fingerprint
LIMIT 500
