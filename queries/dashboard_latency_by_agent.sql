-- dashboard_latency_by_agent: p50/p95/p99 sketch buckets per agent (grp = agent) over a window.
-- Nearest rank, as everywhere: the first bucket whose cumulative count reaches ceil(q·n).
-- Columns are sketch bucket indexes; the dashboard turns them into ms with sketchValue() (store/sketch.ts).
-- Parameters: $from_ms, $to_ms (epoch ms).
WITH s AS (
  SELECT agent_name AS grp, bucket, sum(n) AS n
  FROM rollup_sketch_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), NULL)
  WHERE agent_name IS NOT NULL
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
