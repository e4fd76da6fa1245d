-- analyzer_recovery: recovery attempts, recoveries and success rate per strategy in [$from_ns, $to_ns) (same attempt definition as queries/recovery.sql).
-- ClickHouse variant. Parameters: {from_ns}, {to_ns} epoch nanoseconds.
SELECT
  recovery_strategy AS strategy,
  count() AS attempts,
  countIf(recovery_outcome = 'recovered') AS recovered
FROM spans
WHERE recovery_strategy IS NOT NULL
  AND recovery_outcome IN ('recovered', 'failed', 'escalated')
  AND start_ns >= {from_ns:Nullable(Int64)} AND start_ns < {to_ns:Nullable(Int64)}
GROUP BY recovery_strategy
ORDER BY attempts DESC, strategy
