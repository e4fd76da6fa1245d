-- dashboard_recovery: recovery attempts, recoveries and success rate per strategy over a window.
-- Same definition as queries/recovery.sql (attempt = outcome recovered, failed or escalated), windowed,
-- from the work rollups.
-- Parameters: $from_ms, $to_ms (epoch ms).
SELECT
  recovery_strategy AS strategy,
  sum(span_count) AS attempts,
  coalesce(sum(span_count) FILTER (WHERE recovery_outcome = 'recovered'), 0) AS recovered,
  coalesce(sum(span_count) FILTER (WHERE recovery_outcome = 'escalated'), 0) AS escalated,
  round(coalesce(sum(span_count) FILTER (WHERE recovery_outcome = 'recovered'), 0) / sum(span_count), 4) AS success_rate
FROM rollup_work_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), NULL)
WHERE recovery_strategy IS NOT NULL
  AND recovery_outcome IN ('recovered', 'failed', 'escalated')
GROUP BY recovery_strategy
ORDER BY attempts DESC, strategy
