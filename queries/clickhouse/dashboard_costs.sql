-- dashboard_costs: cost, tokens and spans by agent and by model over a window, from rollup_minute.
-- dim is 'agent' or 'model'; key NULL means spans without that attribute.
-- ClickHouse variant: two GROUP BYs instead of GROUPING SETS (whose non-grouped keys are defaults, not NULL, in ClickHouse).
-- Parameters: {from_ms}, {to_ms} (epoch ms).
SELECT dim, key, cost_usd, tokens, spans FROM (
  SELECT 'agent' AS dim, agent_name AS key, sum(cost_usd) AS cost_usd, sum(input_tokens) + sum(output_tokens) AS tokens, sum(span_count) AS spans
  FROM rollup_minute
  WHERE minute >= fromUnixTimestamp64Milli({from_ms:Nullable(Int64)}, 'UTC') AND minute < fromUnixTimestamp64Milli({to_ms:Nullable(Int64)}, 'UTC')
  GROUP BY agent_name
  UNION ALL
  SELECT 'model' AS dim, model AS key, sum(cost_usd) AS cost_usd, sum(input_tokens) + sum(output_tokens) AS tokens, sum(span_count) AS spans
  FROM rollup_minute
  WHERE minute >= fromUnixTimestamp64Milli({from_ms:Nullable(Int64)}, 'UTC') AND minute < fromUnixTimestamp64Milli({to_ms:Nullable(Int64)}, 'UTC')
  GROUP BY model
)
WHERE cost_usd > 0 OR tokens > 0
ORDER BY dim, cost_usd DESC, key NULLS LAST
