-- dashboard_agents: per-agent counts, errors, tokens and cost over a window, plus the last $recent_ms of it, from rollup_minute.
-- ClickHouse variant. Parameters: {from_ms}, {to_ms} (epoch ms), {recent_ms} (ms).
SELECT
  agent_name AS agent,
  sum(span_count) AS spans,
  sum(error_count) AS errors,
  sum(input_tokens) + sum(output_tokens) AS tokens,
  sum(cost_usd) AS cost_usd,
  sumIf(span_count, toUnixTimestamp64Milli(minute) >= {to_ms:Nullable(Int64)} - {recent_ms:Nullable(Int64)}) AS recent_spans,
  sumIf(error_count, toUnixTimestamp64Milli(minute) >= {to_ms:Nullable(Int64)} - {recent_ms:Nullable(Int64)}) AS recent_errors,
  toUnixTimestamp64Milli(max(minute)) AS last_minute_ms
FROM rollup_minute
WHERE minute >= fromUnixTimestamp64Milli({from_ms:Nullable(Int64)}, 'UTC') AND minute < fromUnixTimestamp64Milli({to_ms:Nullable(Int64)}, 'UTC')
  AND agent_name IS NOT NULL
GROUP BY agent_name
ORDER BY spans DESC, agent
