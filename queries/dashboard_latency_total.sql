-- dashboard_latency_total: overall p50/p95/p99 sketch buckets over a window (one row, grp = NULL).
-- Columns are sketch bucket indexes (see dashboard_latency_by_agent).
-- Parameters: $from_ms, $to_ms (epoch ms); $agent (optional filter).
WITH s AS (
  SELECT NULL AS grp, bucket, sum(n) AS n
  FROM rollup_sketch_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), NULL)
  WHERE (CAST($agent AS VARCHAR) IS NULL OR agent_name = $agent)
  GROUP BY bucket
), c AS (
  SELECT grp, bucket, sum(n) OVER (ORDER BY bucket ROWS UNBOUNDED PRECEDING) AS cum, sum(n) OVER () AS total
  FROM s
)
SELECT grp, any_value(total) AS total,
  min(bucket) FILTER (WHERE cum >= greatest(1, ceil(0.50 * total - 1e-9))) AS p50_bucket,
  min(bucket) FILTER (WHERE cum >= greatest(1, ceil(0.95 * total - 1e-9))) AS p95_bucket,
  min(bucket) FILTER (WHERE cum >= greatest(1, ceil(0.99 * total - 1e-9))) AS p99_bucket
FROM c
GROUP BY grp
