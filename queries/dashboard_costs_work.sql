-- dashboard_costs_work: cost and tokens by team composition and by task type over a window.
-- Reads raw spans (the rollups carry no team or task dimension), pruned to the window by start_ns.
-- dim is 'team' or 'task_type'. Parameters: $from_ms, $to_ms (epoch ms).
SELECT
  CASE WHEN grouping(team_signature) = 0 THEN 'team' ELSE 'task_type' END AS dim,
  CASE WHEN grouping(team_signature) = 0 THEN team_signature ELSE task_type END AS key,
  sum(cost_usd) AS cost_usd,
  coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) AS tokens,
  count(*) AS spans
FROM spans
WHERE start_ns >= CAST($from_ms AS BIGINT) * 1000000 AND start_ns < CAST($to_ms AS BIGINT) * 1000000
  AND (cost_usd IS NOT NULL OR input_tokens IS NOT NULL)
GROUP BY GROUPING SETS ((team_signature), (task_type))
HAVING (CASE WHEN grouping(team_signature) = 0 THEN team_signature ELSE task_type END) IS NOT NULL
ORDER BY dim, cost_usd DESC
