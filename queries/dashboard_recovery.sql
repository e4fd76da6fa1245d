-- dashboard_recovery: recovery attempts, recoveries and success rate per strategy over a window.
-- Same definition as queries/recovery.sql (attempt = outcome recovered, failed or escalated), windowed.
-- Parameters: $from_ms, $to_ms (epoch ms).
SELECT
  recovery_strategy AS strategy,
  count(*) AS attempts,
  count(*) FILTER (WHERE recovery_outcome = 'recovered') AS recovered,
  count(*) FILTER (WHERE recovery_outcome = 'escalated') AS escalated,
  round(count(*) FILTER (WHERE recovery_outcome = 'recovered') / count(*), 4) AS success_rate
FROM spans
WHERE start_ns >= CAST($from_ms AS BIGINT) * 1000000 AND start_ns < CAST($to_ms AS BIGINT) * 1000000
  AND recovery_strategy IS NOT NULL
  AND recovery_outcome IN ('recovered', 'failed', 'escalated')
GROUP BY recovery_strategy
ORDER BY attempts DESC, strategy
