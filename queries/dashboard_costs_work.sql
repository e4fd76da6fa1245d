-- dashboard_costs_work: cost and tokens by team composition and by task type over a window.
-- Costs are rounded to 1e-9 USD: float sums otherwise differ in the last digits between runs (parallel aggregation order).
-- Reads the work rollups (rollup_work_range: the coarsest exact level for the window).
-- dim is 'team' or 'task_type'. Parameters: $from_ms, $to_ms (epoch ms).
SELECT
  CASE WHEN grouping(team_signature) = 0 THEN 'team' ELSE 'task_type' END AS dim,
  CASE WHEN grouping(team_signature) = 0 THEN team_signature ELSE task_type END AS key,
  round(sum(cost_usd), 9) AS cost_usd,
  sum(tokens) AS tokens,
  sum(usage_spans) AS spans
FROM rollup_work_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), NULL)
WHERE usage_spans > 0
GROUP BY GROUPING SETS ((team_signature), (task_type))
HAVING (CASE WHEN grouping(team_signature) = 0 THEN team_signature ELSE task_type END) IS NOT NULL
ORDER BY dim, cost_usd DESC, key NULLS LAST
