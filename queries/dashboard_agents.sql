-- dashboard_agents: per-agent counts, errors, tokens and cost over a window, plus the last
-- $recent_ms of it (the "now" numbers: rate, recent errors), from rollup_minute.
-- Parameters: $from_ms, $to_ms (epoch ms), $recent_ms (ms, e.g. 300000).
SELECT
  agent_name AS agent,
  sum(span_count) AS spans,
  sum(error_count) AS errors,
  sum(input_tokens) + sum(output_tokens) AS tokens,
  sum(cost_usd) AS cost_usd,
  coalesce(sum(span_count) FILTER (WHERE minute >= epoch_ms(CAST($to_ms AS BIGINT) - CAST($recent_ms AS BIGINT))), 0) AS recent_spans,
  coalesce(sum(error_count) FILTER (WHERE minute >= epoch_ms(CAST($to_ms AS BIGINT) - CAST($recent_ms AS BIGINT))), 0) AS recent_errors,
  epoch_ms(max(minute)) AS last_minute_ms
FROM rollup_minute
WHERE minute >= epoch_ms(CAST($from_ms AS BIGINT)) AND minute < epoch_ms(CAST($to_ms AS BIGINT))
  AND agent_name IS NOT NULL
GROUP BY agent_name
ORDER BY spans DESC, agent
