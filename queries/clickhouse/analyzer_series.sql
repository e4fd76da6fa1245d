-- analyzer_series: per agent × operation × model and time bucket of $bucket_ns from $from_ns up to $to_ns: count, errors, p50/p95 latency, cost, queue depth p95.
-- ClickHouse variant: nearest-rank percentiles over sorted values (as quantile_disc); bucket = intDiv.
-- Parameters: {from_ns}, {to_ns}, {bucket_ns} nanoseconds.
SELECT agent, operation, model, bucket, count, errors,
  arrayMap(q -> if(length(d) = 0, NULL, d[toUInt64(greatest(1, ceil(q * length(d) - 1e-9)))]), [0.5, 0.95]) AS latency_ns,
  cost_usd,
  if(length(qd) = 0, NULL, qd[toUInt64(greatest(1, ceil(0.95 * length(qd) - 1e-9)))]) AS queue_depth_p95
FROM (
  SELECT
    agent_name AS agent, operation, model,
    toInt32(intDiv(start_ns - {from_ns:Nullable(Int64)}, {bucket_ns:Nullable(Int64)})) AS bucket,
    count() AS count,
    countIf(status_code = 'ERROR') AS errors,
    arraySort(groupArray(duration_ns)) AS d,
    coalesce(sum(cost_usd), 0) AS cost_usd,
    arraySort(groupArray(queue_depth)) AS qd
  FROM spans
  WHERE start_ns >= {from_ns:Nullable(Int64)} AND start_ns < {to_ns:Nullable(Int64)}
    AND (scope_name IS NULL OR scope_name != 'agentpulse.recovery')
  GROUP BY agent_name, operation, model, bucket
)
ORDER BY agent, operation, model, bucket
