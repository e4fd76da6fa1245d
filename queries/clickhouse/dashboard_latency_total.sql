-- dashboard_latency_total: overall p50/p95/p99 sketch buckets over a window (one row, grp = NULL).
-- ClickHouse variant: nearest rank over merged minute sketches, as everywhere: the first bucket whose cumulative
-- count reaches ceil(q·n). Columns are sketch bucket indexes; the dashboard turns them into ms with sketchValue().
-- Parameters: {from_ms}, {to_ms} (epoch ms); {agent} (optional filter).
WITH s AS (
  SELECT CAST(NULL AS Nullable(String)) AS grp, bucket, sum(n) AS n
  FROM rollup_sketch
  WHERE minute >= fromUnixTimestamp64Milli({from_ms:Nullable(Int64)}, 'UTC') AND minute < fromUnixTimestamp64Milli({to_ms:Nullable(Int64)}, 'UTC')
    AND ({agent:Nullable(String)} IS NULL OR agent_name = {agent:Nullable(String)})
  GROUP BY bucket
), c AS (
  SELECT grp, bucket, sum(n) OVER (ORDER BY bucket ROWS UNBOUNDED PRECEDING) AS cum, sum(n) OVER () AS total
  FROM s
)
SELECT grp, any(total) AS total,
  minIf(bucket, cum >= greatest(1, ceil(0.50 * total - 1e-9))) AS p50_bucket,
  minIf(bucket, cum >= greatest(1, ceil(0.95 * total - 1e-9))) AS p95_bucket,
  minIf(bucket, cum >= greatest(1, ceil(0.99 * total - 1e-9))) AS p99_bucket
FROM c
GROUP BY grp

