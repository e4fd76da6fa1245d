-- dashboard_recovery: recovery attempts, recoveries and success rate per strategy over a window (definition of queries/recovery.sql, windowed).
-- ClickHouse variant. Parameters: {from_ms}, {to_ms} (epoch ms).
SELECT
  recovery_strategy AS strategy,
  count() AS attempts,
  countIf(recovery_outcome = 'recovered') AS recovered,
  countIf(recovery_outcome = 'escalated') AS escalated,
  round(countIf(recovery_outcome = 'recovered') / count(), 4) AS success_rate
FROM spans
WHERE start_ns >= {from_ms:Nullable(Int64)} * 1000000 AND start_ns < {to_ms:Nullable(Int64)} * 1000000
  AND recovery_strategy IS NOT NULL
  AND recovery_outcome IN ('recovered', 'failed', 'escalated')
GROUP BY recovery_strategy
ORDER BY attempts DESC, strategy
