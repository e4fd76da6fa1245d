-- recovery: attempts, recoveries and success rate per recovery strategy.
-- One span per recovery episode (see docs/recovery.md). An attempt is an episode whose
-- outcome is recovered, failed or escalated; 'rejected' (the policy refused to run the call or
-- a strategy was not applicable) and 'not_needed' are not attempts.
-- Parameters (named, optional: bind NULL to disable):
--   $since_ns  BIGINT  only spans with start_ns >= $since_ns (epoch nanoseconds)
SELECT
  recovery_strategy AS strategy,
  count(*) AS attempts,
  count(*) FILTER (WHERE recovery_outcome = 'recovered') AS recovered,
  round(count(*) FILTER (WHERE recovery_outcome = 'recovered') / count(*), 4) AS success_rate
FROM spans
WHERE recovery_strategy IS NOT NULL
  AND recovery_outcome IN ('recovered', 'failed', 'escalated')
  AND (CAST($since_ns AS BIGINT) IS NULL OR start_ns >= CAST($since_ns AS BIGINT))
GROUP BY recovery_strategy
ORDER BY attempts DESC, strategy
