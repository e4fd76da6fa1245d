-- analyzer_scope_windows: per agent × operation × model, span and error counts in the baseline [$base_from_ns, $base_to_ns) and current [$cur_from_ns, $cur_to_ns) windows (inputs of the two-proportion error-rate test).
-- Parameters: epoch nanoseconds.
SELECT
  agent_name AS agent, operation, model,
  count(*) FILTER (WHERE start_ns < CAST($base_to_ns AS BIGINT)) AS base_n,
  count(*) FILTER (WHERE start_ns < CAST($base_to_ns AS BIGINT) AND status_code = 'ERROR') AS base_errors,
  count(*) FILTER (WHERE start_ns >= CAST($cur_from_ns AS BIGINT)) AS cur_n,
  count(*) FILTER (WHERE start_ns >= CAST($cur_from_ns AS BIGINT) AND status_code = 'ERROR') AS cur_errors
FROM spans
WHERE coalesce(scope_name, '') <> 'agentpulse.recovery'
  AND ((start_ns >= CAST($base_from_ns AS BIGINT) AND start_ns < CAST($base_to_ns AS BIGINT))
    OR (start_ns >= CAST($cur_from_ns AS BIGINT) AND start_ns < CAST($cur_to_ns AS BIGINT)))
GROUP BY ALL
ORDER BY agent, operation, model
