-- analyzer_series: per agent × operation × model and time bucket of $bucket_ns from $from_ns up to $to_ns: count, errors, p50/p95 latency, cost, queue depth p95 (the series behind change-point dating and forecasts).
-- bucket is the 0-based bucket index from $from_ns; empty buckets are absent.
-- Parameters: $from_ns, $to_ns, $bucket_ns  nanoseconds.
SELECT
  agent_name AS agent, operation, model,
  CAST((start_ns - CAST($from_ns AS BIGINT)) // CAST($bucket_ns AS BIGINT) AS INTEGER) AS bucket,
  count(*) AS count,
  count(*) FILTER (WHERE status_code = 'ERROR') AS errors,
  quantile_disc(duration_ns, [0.5, 0.95]) AS latency_ns,
  coalesce(sum(cost_usd), 0) AS cost_usd,
  quantile_disc(queue_depth, 0.95) AS queue_depth_p95
FROM spans
WHERE start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT)
  AND coalesce(scope_name, '') <> 'agentpulse.recovery'
GROUP BY ALL
ORDER BY agent, operation, model, bucket
