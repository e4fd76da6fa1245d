-- dashboard_timeseries: spans, errors and cost per time bucket (t = bucket start, epoch ms), from rollup_minute.
-- ClickHouse variant. Parameters: {from_ms}, {to_ms} (epoch ms), {bucket_ms} (ms); {agent} (optional filter).
SELECT
  intDiv(toUnixTimestamp64Milli(minute), {bucket_ms:Nullable(Int64)}) * {bucket_ms:Nullable(Int64)} AS t,
  sum(span_count) AS spans,
  sum(error_count) AS errors,
  sum(cost_usd) AS cost_usd
FROM rollup_minute
WHERE minute >= fromUnixTimestamp64Milli({from_ms:Nullable(Int64)}, 'UTC') AND minute < fromUnixTimestamp64Milli({to_ms:Nullable(Int64)}, 'UTC')
  AND ({agent:Nullable(String)} IS NULL OR agent_name = {agent:Nullable(String)})
GROUP BY t
ORDER BY t
