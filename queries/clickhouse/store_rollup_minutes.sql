-- store_rollup_minutes: per-minute rollups summed over their partials, $from_ms <= minute < $to_ms (TraceStore.readRollups).
-- ClickHouse: rollup_minute is filled by rollup_minute_mv from otel_traces; minute is DateTime64(3, 'UTC').
SELECT toUnixTimestamp64Milli(minute) AS minute_ms, service_name, agent_name, operation, model, status_code, error_type,
  sum(span_count) AS span_count, sum(error_count) AS error_count, sum(duration_sum_ns) AS duration_sum_ns,
  max(duration_max_ns) AS duration_max_ns, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd
FROM rollup_minute
WHERE minute >= fromUnixTimestamp64Milli({from_ms:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({to_ms:Int64}, 'UTC')
GROUP BY minute, service_name, agent_name, operation, model, status_code, error_type
ORDER BY minute_ms, service_name, agent_name, operation, model, status_code, error_type
