-- dashboard_costs_work: cost and tokens by team composition and by task type over a window (raw spans).
-- ClickHouse variant: two GROUP BYs instead of GROUPING SETS. dim is 'team' or 'task_type'. Parameters: {from_ms}, {to_ms} (epoch ms).
SELECT dim, key, cost_usd, tokens, spans FROM (
  SELECT 'team' AS dim, team_signature AS key, sum(cost_usd) AS cost_usd,
    coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) AS tokens, count() AS spans
  FROM spans
  WHERE start_ns >= {from_ms:Nullable(Int64)} * 1000000 AND start_ns < {to_ms:Nullable(Int64)} * 1000000
    AND (cost_usd IS NOT NULL OR input_tokens IS NOT NULL) AND team_signature IS NOT NULL
  GROUP BY team_signature
  UNION ALL
  SELECT 'task_type' AS dim, task_type AS key, sum(cost_usd) AS cost_usd,
    coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) AS tokens, count() AS spans
  FROM spans
  WHERE start_ns >= {from_ms:Nullable(Int64)} * 1000000 AND start_ns < {to_ms:Nullable(Int64)} * 1000000
    AND (cost_usd IS NOT NULL OR input_tokens IS NOT NULL) AND task_type IS NOT NULL
  GROUP BY task_type
)
ORDER BY dim, cost_usd DESC, key NULLS LAST
