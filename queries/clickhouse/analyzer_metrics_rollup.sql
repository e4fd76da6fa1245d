-- analyzer_metrics_rollup: the analyzer_metrics figures from the per-minute rollups (counts, sums and the log-bucket latency sketch, relative error ≤ 1 %), O(minutes) instead of O(spans).
-- ClickHouse variant: rollup_minute / rollup_sketch are filled by materialized views from otel_traces with the same
-- bucket formula (store/clickhouse/promote.ts sketchBucketSql = store/sketch.ts sketchBucket). Windows are whole minutes.
-- Quantiles: the first bucket whose cumulative count reaches ceil(q·n), valued at 2γ^i/(γ+1), γ = 1.0099/0.9901.
-- Parameters: {from_ns}, {to_ns} epoch nanoseconds.
WITH
  fromUnixTimestamp64Micro(intDiv({from_ns:Nullable(Int64)}, 1000) - intDiv({from_ns:Nullable(Int64)}, 1000) % 60000000, 'UTC') AS lo,
  fromUnixTimestamp64Micro(intDiv({to_ns:Nullable(Int64)}, 1000), 'UTC') AS hi,
  (1 + 0.0099) / (1 - 0.0099) AS gamma,
m AS (
  SELECT agent_name, operation, model,
    sum(span_count) AS count,
    sum(error_count) AS errors,
    sum(input_tokens) + sum(output_tokens) AS tokens,
    sum(cost_usd) AS cost_usd
  FROM rollup_minute
  WHERE minute >= lo AND minute < hi
  GROUP BY agent_name, operation, model
),
e AS (
  SELECT agent_name AS ea, operation AS eo, model AS em, toJSONString(mapFromArrays(groupArray(et), groupArray(n))) AS errors_by_type
  FROM (
    SELECT agent_name, operation, model, coalesce(error_type, 'unknown') AS et, sum(error_count) AS n
    FROM rollup_minute
    WHERE minute >= lo AND minute < hi AND status_code = 'ERROR'
    GROUP BY agent_name, operation, model, et
  )
  GROUP BY agent_name, operation, model
),
b AS (
  SELECT agent_name, operation, model, bucket, sum(n) AS n
  FROM rollup_sketch
  WHERE minute >= lo AND minute < hi
  GROUP BY agent_name, operation, model, bucket
),
c AS (
  SELECT agent_name, operation, model, bucket,
    sum(n) OVER (PARTITION BY agent_name, operation, model ORDER BY bucket ROWS UNBOUNDED PRECEDING) AS cum,
    sum(n) OVER (PARTITION BY agent_name, operation, model) AS total
  FROM b
),
q AS (
  SELECT agent_name AS qa, operation AS qo, model AS qm,
    minIf(bucket, cum >= greatest(1, ceil(0.50 * total - 1e-9))) AS b50,
    minIf(bucket, cum >= greatest(1, ceil(0.95 * total - 1e-9))) AS b95,
    minIf(bucket, cum >= greatest(1, ceil(0.99 * total - 1e-9))) AS b99
  FROM c
  GROUP BY agent_name, operation, model
)
SELECT
  m.agent_name AS agent, m.operation AS operation, m.model AS model, m.count AS count, m.count - m.errors AS successes,
  coalesce(e.errors_by_type, '{}') AS errors_by_type,
  [ if(b50 = -32768, 0, 2 * pow(gamma, b50) / (gamma + 1)),
    if(b95 = -32768, 0, 2 * pow(gamma, b95) / (gamma + 1)),
    if(b99 = -32768, 0, 2 * pow(gamma, b99) / (gamma + 1)) ] AS latency_ns,
  m.tokens AS tokens, m.cost_usd AS cost_usd,
  NULL AS context_size_p95,
  NULL AS queue_depth_p95
FROM m
LEFT JOIN e ON m.agent_name IS NOT DISTINCT FROM ea AND m.operation IS NOT DISTINCT FROM eo AND m.model IS NOT DISTINCT FROM em
LEFT JOIN q ON m.agent_name IS NOT DISTINCT FROM qa AND m.operation IS NOT DISTINCT FROM qo AND m.model IS NOT DISTINCT FROM qm
ORDER BY count DESC, agent, operation, model
