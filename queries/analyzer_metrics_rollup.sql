-- analyzer_metrics_rollup: the analyzer_metrics figures from the per-minute rollups (counts, sums and the log-bucket latency sketch, relative error ≤ 1 %), O(minutes) instead of O(spans).
-- Windows are whole minutes: [$from_ns, $to_ns) is widened to the minutes it touches.
-- Rollups have no scope_name dimension, so recovery-policy spans are included here (unlike analyzer_metrics),
-- and they carry no context size or queue depth. Quantiles use the sketch's nearest rank: the first bucket
-- whose cumulative count reaches ceil(q·n), valued at 2γ^i/(γ+1) with γ = 1.0099/0.9901 (store/sketch.ts).
-- Parameters: $from_ns, $to_ns  epoch nanoseconds.
WITH m AS (
  SELECT agent_name, operation, model,
    sum(span_count) AS count,
    sum(error_count) AS errors,
    sum(input_tokens) + sum(output_tokens) AS tokens,
    sum(cost_usd) AS cost_usd
  FROM rollup_minute_range(make_timestamp(CAST($from_ns AS BIGINT) // 1000 - CAST($from_ns AS BIGINT) // 1000 % 60000000), make_timestamp(CAST($to_ns AS BIGINT) // 1000), NULL)
  GROUP BY ALL
),
e AS (
  SELECT agent_name, operation, model,
    CAST(to_json(map_from_entries(list(struct_pack(k := et, v := n)))) AS VARCHAR) AS errors_by_type
  FROM (
    SELECT agent_name, operation, model, coalesce(error_type, 'unknown') AS et, sum(error_count) AS n
    FROM rollup_minute_range(make_timestamp(CAST($from_ns AS BIGINT) // 1000 - CAST($from_ns AS BIGINT) // 1000 % 60000000), make_timestamp(CAST($to_ns AS BIGINT) // 1000), NULL)
    WHERE status_code = 'ERROR'
    GROUP BY ALL
  )
  GROUP BY ALL
),
b AS (
  SELECT agent_name, operation, model, bucket, sum(n) AS n
  FROM rollup_sketch_range(make_timestamp(CAST($from_ns AS BIGINT) // 1000 - CAST($from_ns AS BIGINT) // 1000 % 60000000), make_timestamp(CAST($to_ns AS BIGINT) // 1000), NULL)
  GROUP BY ALL
),
c AS (
  SELECT *,
    sum(n) OVER (PARTITION BY agent_name, operation, model ORDER BY bucket ROWS UNBOUNDED PRECEDING) AS cum,
    sum(n) OVER (PARTITION BY agent_name, operation, model) AS total
  FROM b
),
q AS (
  SELECT agent_name, operation, model,
    min(bucket) FILTER (WHERE cum >= greatest(1, ceil(0.50 * total - 1e-9))) AS b50,
    min(bucket) FILTER (WHERE cum >= greatest(1, ceil(0.95 * total - 1e-9))) AS b95,
    min(bucket) FILTER (WHERE cum >= greatest(1, ceil(0.99 * total - 1e-9))) AS b99
  FROM c
  GROUP BY ALL
)
SELECT
  m.agent_name AS agent, m.operation, m.model, m.count, m.count - m.errors AS successes,
  coalesce(e.errors_by_type, '{}') AS errors_by_type,
  [ CASE WHEN b50 = -32768 THEN 0 ELSE 2 * pow((1 + 0.0099) / (1 - 0.0099), b50) / ((1 + 0.0099) / (1 - 0.0099) + 1) END,
    CASE WHEN b95 = -32768 THEN 0 ELSE 2 * pow((1 + 0.0099) / (1 - 0.0099), b95) / ((1 + 0.0099) / (1 - 0.0099) + 1) END,
    CASE WHEN b99 = -32768 THEN 0 ELSE 2 * pow((1 + 0.0099) / (1 - 0.0099), b99) / ((1 + 0.0099) / (1 - 0.0099) + 1) END ] AS latency_ns,
  m.tokens, m.cost_usd,
  NULL AS context_size_p95,
  NULL AS queue_depth_p95
FROM m
LEFT JOIN e ON m.agent_name IS NOT DISTINCT FROM e.agent_name AND m.operation IS NOT DISTINCT FROM e.operation AND m.model IS NOT DISTINCT FROM e.model
LEFT JOIN q ON m.agent_name IS NOT DISTINCT FROM q.agent_name AND m.operation IS NOT DISTINCT FROM q.operation AND m.model IS NOT DISTINCT FROM q.model
ORDER BY m.count DESC, agent, m.operation, m.model
