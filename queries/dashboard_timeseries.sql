-- dashboard_timeseries: spans, errors and cost per time bucket (t = bucket start, epoch ms), from rollup_minute.
-- Costs are rounded to 1e-9 USD: float sums otherwise differ in the last digits between runs (parallel aggregation order).
-- Parameters: $from_ms, $to_ms (epoch ms), $bucket_ms (ms); $agent (optional filter).
SELECT
  epoch_ms(minute) // CAST($bucket_ms AS BIGINT) * CAST($bucket_ms AS BIGINT) AS t,
  sum(span_count) AS spans,
  sum(error_count) AS errors,
  round(sum(cost_usd), 9) AS cost_usd
FROM rollup_minute_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), CAST($bucket_ms AS BIGINT))
WHERE (CAST($agent AS VARCHAR) IS NULL OR agent_name = $agent)
GROUP BY t
ORDER BY t
