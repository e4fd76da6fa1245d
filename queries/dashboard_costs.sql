-- dashboard_costs: cost, tokens and spans by agent and by model over a window, from rollup_minute.
-- Costs are rounded to 1e-9 USD: float sums otherwise differ in the last digits between runs (parallel aggregation order).
-- dim is 'agent' or 'model'; key NULL means spans without that attribute.
-- Parameters: $from_ms, $to_ms (epoch ms).
SELECT
  CASE WHEN grouping(agent_name) = 0 THEN 'agent' ELSE 'model' END AS dim,
  CASE WHEN grouping(agent_name) = 0 THEN agent_name ELSE model END AS key,
  round(sum(cost_usd), 9) AS cost_usd,
  sum(input_tokens) + sum(output_tokens) AS tokens,
  sum(span_count) AS spans
FROM rollup_minute_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), NULL)
GROUP BY GROUPING SETS ((agent_name), (model))
HAVING sum(cost_usd) > 0 OR sum(input_tokens) + sum(output_tokens) > 0
ORDER BY dim, cost_usd DESC, key NULLS LAST
