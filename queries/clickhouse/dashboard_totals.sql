-- dashboard_totals: span, error, token and cost totals over a window, from rollup_minute.
-- ClickHouse variant: an empty window gives last_minute_ms NULL (maxOrNull), as on DuckDB.
-- Parameters: {from_ms}, {to_ms} (epoch ms, [from, to)); {agent} (optional filter).
SELECT
  sum(span_count) AS spans,
  sum(error_count) AS errors,
  sum(input_tokens) AS input_tokens,
  sum(output_tokens) AS output_tokens,
  sum(cost_usd) AS cost_usd,
  count(DISTINCT agent_name) AS agents,
  count(DISTINCT model) AS models,
  toUnixTimestamp64Milli(maxOrNull(minute)) AS last_minute_ms
FROM rollup_minute
WHERE minute >= fromUnixTimestamp64Milli({from_ms:Nullable(Int64)}, 'UTC') AND minute < fromUnixTimestamp64Milli({to_ms:Nullable(Int64)}, 'UTC')
  AND ({agent:Nullable(String)} IS NULL OR agent_name = {agent:Nullable(String)})
