-- dashboard_health: store facts for the health panel and `agentpulse health`.
SELECT
  (SELECT count(*) FROM spans) AS spans,
  (SELECT max(end_ns) FROM spans) AS newest_end_ns,
  (SELECT max(version) FROM schema_version) AS schema_version,
  (SELECT count(*) FROM alert_state WHERE state = 'firing') AS alerts_firing,
  (SELECT epoch_ms(max(finished_at)) FROM analyzer_runs) AS last_analyzer_run_ms
