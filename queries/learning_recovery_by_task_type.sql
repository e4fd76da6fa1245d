-- learning_recovery_by_task_type: recovery attempts and recoveries per task type and strategy (for the recovery recommendation).
-- An attempt is an episode whose outcome is recovered, failed or escalated (see queries/recovery.sql).
-- Parameters (named, optional: bind NULL to disable):
--   $since_ns  BIGINT  only spans with start_ns >= $since_ns (epoch nanoseconds)
SELECT
  task_type,
  recovery_strategy AS strategy,
  count(*) AS attempts,
  count(*) FILTER (WHERE recovery_outcome = 'recovered') AS recovered
FROM spans
WHERE recovery_strategy IS NOT NULL
  AND task_type IS NOT NULL
  AND recovery_outcome IN ('recovered', 'failed', 'escalated')
  AND (CAST($since_ns AS BIGINT) IS NULL OR start_ns >= CAST($since_ns AS BIGINT))
GROUP BY task_type, recovery_strategy
ORDER BY task_type, attempts DESC, strategy
