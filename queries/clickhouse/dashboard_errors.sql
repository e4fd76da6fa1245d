-- dashboard_errors: error counts per agent × error type × time bucket (the heat map), from rollup_minute.
-- ClickHouse variant. Parameters: {from_ms}, {to_ms} (epoch ms), {bucket_ms} (ms).
SELECT
  coalesce(agent_name, concat('(no agent) ', coalesce(operation, service_name, 'span'))) AS agent,
  coalesce(error_type, '_OTHER') AS error_type,
  intDiv(toUnixTimestamp64Milli(minute), {bucket_ms:Nullable(Int64)}) * {bucket_ms:Nullable(Int64)} AS t,
  sum(error_count) AS errors
FROM rollup_minute
WHERE minute >= fromUnixTimestamp64Milli({from_ms:Nullable(Int64)}, 'UTC') AND minute < fromUnixTimestamp64Milli({to_ms:Nullable(Int64)}, 'UTC')
  AND error_count > 0
GROUP BY agent, error_type, t
ORDER BY agent, error_type, t
