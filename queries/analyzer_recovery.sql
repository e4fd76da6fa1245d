-- analyzer_recovery: recovery attempts, recoveries and success rate per strategy in [$from_ns, $to_ns) (the windowed form of the recovery query; same attempt definition, see docs/recovery.md).
-- Parameters: $from_ns, $to_ns  epoch nanoseconds.
SELECT
  recovery_strategy AS strategy,
  count(*) AS attempts,
  count(*) FILTER (WHERE recovery_outcome = 'recovered') AS recovered
FROM spans
WHERE recovery_strategy IS NOT NULL
  AND recovery_outcome IN ('recovered', 'failed', 'escalated')
  AND start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT)
GROUP BY recovery_strategy
ORDER BY attempts DESC, strategy
