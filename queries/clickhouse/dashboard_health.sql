-- dashboard_health: store facts for the health panel and `agentpulse health`.
-- ClickHouse variant: spans counted on otel_traces directly (no promotion needed).
SELECT
  (SELECT count() FROM otel_traces) AS spans,
  (SELECT maxOrNull(toUnixTimestamp64Nano(Timestamp) + toInt64(Duration)) FROM otel_traces) AS newest_end_ns,
  (SELECT maxOrNull(version) FROM schema_version) AS schema_version,
  (SELECT count() FROM alert_state FINAL WHERE state = 'firing') AS alerts_firing,
  (SELECT toUnixTimestamp64Milli(max(finished_at)) FROM analyzer_runs FINAL) AS last_analyzer_run_ms
