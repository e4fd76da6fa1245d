-- dashboard_patterns: learned patterns and antipatterns with their effectiveness (support, success rate, interval, lift).
-- ClickHouse variant: patterns read FINAL (ReplacingMergeTree on updated_at). The learning system
-- keeps its pattern DB on the embedded store, so rows here are listed unfolded (no findings).
SELECT id, kind, task_type, signature, support, successes, success_rate, ci_low, ci_high, lift, confidence, status,
  CAST([] AS Array(String)) AS aliases, false AS finding,
  toUnixTimestamp64Milli(first_seen) AS first_seen_ms, toUnixTimestamp64Milli(last_seen) AS last_seen_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms
FROM patterns FINAL
-- Only tested patterns and antipatterns (see the DuckDB query).
WHERE kind IN ('pattern', 'antipattern') AND status <> 'observed'
ORDER BY multiIf(status = 'promoted', 0, status = 'candidate', 1, 2), kind, confidence DESC NULLS LAST, support DESC NULLS LAST, id
LIMIT 200
