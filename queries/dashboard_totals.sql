-- dashboard_totals: span, error, token and cost totals over a window, from rollup_minute.
-- Costs are rounded to 1e-9 USD: float sums otherwise differ in the last digits between runs (parallel aggregation order).
-- Parameters: $from_ms, $to_ms (epoch ms, [from, to)); $agent (optional filter).
SELECT
  coalesce(sum(span_count), 0) AS spans,
  coalesce(sum(error_count), 0) AS errors,
  coalesce(sum(input_tokens), 0) AS input_tokens,
  coalesce(sum(output_tokens), 0) AS output_tokens,
  round(coalesce(sum(cost_usd), 0), 9) AS cost_usd,
  count(DISTINCT agent_name) AS agents,
  count(DISTINCT model) AS models,
  -- Coarse rows carry their period's start, so the newest minute comes from the minute level of the
  -- window's last day (older: the start of the last active hour or day).
  coalesce((SELECT epoch_ms(max(minute)) FROM rollup_minute
   WHERE minute >= epoch_ms(greatest(CAST($from_ms AS BIGINT), CAST($to_ms AS BIGINT) - 86400000)) AND minute < epoch_ms(CAST($to_ms AS BIGINT))
     AND (CAST($agent AS VARCHAR) IS NULL OR agent_name = $agent)), epoch_ms(max(minute))) AS last_minute_ms
FROM rollup_minute_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), NULL)
WHERE (CAST($agent AS VARCHAR) IS NULL OR agent_name = $agent)
