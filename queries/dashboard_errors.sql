-- dashboard_errors: error counts per agent × error type × time bucket (the heat map), from rollup_minute.
-- Spans without an agent count under '(no agent) <operation or service>', so the map says what they are; errors without a type under '_OTHER' (the OTel catch-all).
-- Parameters: $from_ms, $to_ms (epoch ms), $bucket_ms (ms).
SELECT
  coalesce(agent_name, concat('(no agent) ', coalesce(operation, service_name, 'span'))) AS agent,
  coalesce(error_type, '_OTHER') AS error_type,
  epoch_ms(minute) // CAST($bucket_ms AS BIGINT) * CAST($bucket_ms AS BIGINT) AS t,
  sum(error_count) AS errors
FROM rollup_minute_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), CAST($bucket_ms AS BIGINT))
WHERE error_count > 0
GROUP BY ALL
ORDER BY agent, error_type, t
