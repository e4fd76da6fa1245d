-- dashboard_agents: per-agent counts, errors, tokens and cost over a window, plus the last
-- Costs are rounded to 1e-9 USD: float sums otherwise differ in the last digits between runs (parallel aggregation order).
-- $recent_ms of it (the "now" numbers: rate, recent errors). Window totals read the coarsest exact
-- rollup level; the recent numbers and the newest minute read the minute level over the last day
-- of the window (an agent silent for longer shows the start of its last active hour or day).
-- Parameters: $from_ms, $to_ms (epoch ms), $recent_ms (ms, e.g. 300000).
WITH w AS (
  SELECT agent_name, sum(span_count) AS spans, sum(error_count) AS errors,
         sum(input_tokens) + sum(output_tokens) AS tokens, round(sum(cost_usd), 9) AS cost_usd, epoch_ms(max(minute)) AS coarse_last_ms
  FROM rollup_minute_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), NULL)
  WHERE agent_name IS NOT NULL
  GROUP BY agent_name
), r AS (
  SELECT agent_name,
         coalesce(sum(span_count) FILTER (WHERE minute >= epoch_ms(CAST($to_ms AS BIGINT) - CAST($recent_ms AS BIGINT))), 0) AS recent_spans,
         coalesce(sum(error_count) FILTER (WHERE minute >= epoch_ms(CAST($to_ms AS BIGINT) - CAST($recent_ms AS BIGINT))), 0) AS recent_errors,
         epoch_ms(max(minute)) AS last_minute_ms
  FROM rollup_minute
  WHERE minute >= epoch_ms(greatest(CAST($from_ms AS BIGINT), CAST($to_ms AS BIGINT) - 86400000)) AND minute < epoch_ms(CAST($to_ms AS BIGINT))
    AND agent_name IS NOT NULL
  GROUP BY agent_name
)
SELECT w.agent_name AS agent, w.spans, w.errors, w.tokens, w.cost_usd,
       coalesce(r.recent_spans, 0) AS recent_spans, coalesce(r.recent_errors, 0) AS recent_errors, coalesce(r.last_minute_ms, w.coarse_last_ms) AS last_minute_ms
FROM w LEFT JOIN r USING (agent_name)
ORDER BY spans DESC, agent
