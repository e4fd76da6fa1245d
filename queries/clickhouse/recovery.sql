-- recovery: attempts, recoveries and success rate per recovery strategy (attempt = outcome recovered, failed or escalated; see docs/recovery.md).
-- ClickHouse variant. Parameters (optional; NULL = no filter): {since_ns} epoch nanoseconds.
SELECT
  recovery_strategy AS strategy,
  count() AS attempts,
  countIf(recovery_outcome = 'recovered') AS recovered,
  round(countIf(recovery_outcome = 'recovered') / count(), 4) AS success_rate
FROM spans
WHERE recovery_strategy IS NOT NULL
  AND recovery_outcome IN ('recovered', 'failed', 'escalated')
  AND ({since_ns:Nullable(Int64)} IS NULL OR start_ns >= {since_ns:Nullable(Int64)})
GROUP BY recovery_strategy
ORDER BY attempts DESC, strategy
