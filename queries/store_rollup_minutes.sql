-- store_rollup_minutes: per-minute rollups summed over their partials, $from_ms <= minute < $to_ms (TraceStore.readRollups).
-- Parameters: $from_ms, $to_ms (epoch ms).
SELECT epoch_ms(minute) AS minute_ms, service_name, agent_name, operation, model, status_code, error_type,
  sum(span_count) AS span_count, sum(error_count) AS error_count, sum(duration_sum_ns) AS duration_sum_ns,
  max(duration_max_ns) AS duration_max_ns, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd
FROM rollup_minute
WHERE minute >= epoch_ms(CAST($from_ms AS BIGINT)) AND minute < epoch_ms(CAST($to_ms AS BIGINT))
GROUP BY ALL
ORDER BY minute_ms, service_name, agent_name, operation, model, status_code, error_type
