-- learning_recovery_by_task_type: recovery attempts and recoveries per task type and strategy (for the recovery recommendation).
-- ClickHouse variant. Parameters (optional; NULL = no filter): {since_ns} epoch nanoseconds.
SELECT
  task_type,
  recovery_strategy AS strategy,
  count() AS attempts,
  countIf(recovery_outcome = 'recovered') AS recovered
FROM spans
WHERE recovery_strategy IS NOT NULL
  AND task_type IS NOT NULL
  AND recovery_outcome IN ('recovered', 'failed', 'escalated')
  AND ({since_ns:Nullable(Int64)} IS NULL OR start_ns >= {since_ns:Nullable(Int64)})
GROUP BY task_type, recovery_strategy
ORDER BY task_type, attempts DESC, strategy
