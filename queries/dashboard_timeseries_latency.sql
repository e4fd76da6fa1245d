-- dashboard_timeseries_latency: p50/p95/p99 sketch buckets per time bucket (grp = bucket start, epoch ms).
-- Columns are sketch bucket indexes (see dashboard_latency_by_agent). Nearest rank over merged minute sketches.
-- Parameters: $from_ms, $to_ms, $bucket_ms (epoch ms / ms); $agent (optional filter).
WITH s AS (
  SELECT epoch_ms(minute) // CAST($bucket_ms AS BIGINT) * CAST($bucket_ms AS BIGINT) AS grp, bucket, sum(n) AS n
  FROM rollup_sketch_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), CAST($bucket_ms AS BIGINT))
  WHERE (CAST($agent AS VARCHAR) IS NULL OR agent_name = $agent)
  GROUP BY ALL
), c AS (
  SELECT grp, bucket, sum(n) OVER (PARTITION BY grp ORDER BY bucket ROWS UNBOUNDED PRECEDING) AS cum, sum(n) OVER (PARTITION BY grp) AS total
  FROM s
)
SELECT grp, any_value(total) AS total,
  min(bucket) FILTER (WHERE cum >= greatest(1, ceil(0.50 * total - 1e-9))) AS p50_bucket,
  min(bucket) FILTER (WHERE cum >= greatest(1, ceil(0.95 * total - 1e-9))) AS p95_bucket,
  min(bucket) FILTER (WHERE cum >= greatest(1, ceil(0.99 * total - 1e-9))) AS p99_bucket
FROM c
GROUP BY grp
ORDER BY grp
