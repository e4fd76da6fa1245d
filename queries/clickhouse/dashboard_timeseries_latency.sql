-- dashboard_timeseries_latency: p50/p95/p99 sketch buckets per time bucket (grp = bucket start, epoch ms).
-- ClickHouse variant: nearest rank over merged minute sketches, as everywhere: the first bucket whose cumulative
-- count reaches ceil(q·n). Columns are sketch bucket indexes; the dashboard turns them into ms with sketchValue().
-- Parameters: {from_ms}, {to_ms}, {bucket_ms} (epoch ms / ms); {agent} (optional filter).
WITH s AS (
  SELECT intDiv(toUnixTimestamp64Milli(minute), {bucket_ms:Nullable(Int64)}) * {bucket_ms:Nullable(Int64)} AS grp, bucket, sum(n) AS n
  FROM rollup_sketch
  WHERE minute >= fromUnixTimestamp64Milli({from_ms:Nullable(Int64)}, 'UTC') AND minute < fromUnixTimestamp64Milli({to_ms:Nullable(Int64)}, 'UTC')
    AND ({agent:Nullable(String)} IS NULL OR agent_name = {agent:Nullable(String)})
  GROUP BY grp, bucket
), c AS (
  SELECT grp, bucket, sum(n) OVER (PARTITION BY grp ORDER BY bucket ROWS UNBOUNDED PRECEDING) AS cum, sum(n) OVER (PARTITION BY grp) AS total
  FROM s
)
SELECT grp, any(total) AS total,
  minIf(bucket, cum >= greatest(1, ceil(0.50 * total - 1e-9))) AS p50_bucket,
  minIf(bucket, cum >= greatest(1, ceil(0.95 * total - 1e-9))) AS p95_bucket,
  minIf(bucket, cum >= greatest(1, ceil(0.99 * total - 1e-9))) AS p99_bucket
FROM c
GROUP BY grp
ORDER BY grp
