-- analyzer_metrics: per agent × operation × model in [$from_ns, $to_ns): count, successes, errors by type, exact latency percentiles, tokens, cost, context size and queue depth p95.
-- ClickHouse variant: percentiles are DuckDB's quantile_disc (nearest rank: the ceil(q·n)-th smallest) over the sorted
-- values, since ClickHouse's quantileExact* pick a different rank when q·n is whole; errors_by_type via sumMap.
-- Parameters: {from_ns}, {to_ns} epoch nanoseconds.
SELECT agent, operation, model, count, successes, errors_by_type,
  arrayMap(q -> if(length(d) = 0, NULL, d[toUInt64(greatest(1, ceil(q * length(d) - 1e-9)))]), [0.5, 0.95, 0.99]) AS latency_ns,
  tokens, cost_usd,
  if(length(cs) = 0, NULL, cs[toUInt64(greatest(1, ceil(0.95 * length(cs) - 1e-9)))]) AS context_size_p95,
  if(length(qd) = 0, NULL, qd[toUInt64(greatest(1, ceil(0.95 * length(qd) - 1e-9)))]) AS queue_depth_p95
FROM (
  SELECT
    agent_name AS agent, operation, model,
    count() AS count,
    countIf(status_code != 'ERROR') AS successes,
    if(countIf(status_code = 'ERROR') = 0, NULL,
      toJSONString(sumMapIf(map(coalesce(error_type, 'unknown'), toUInt64(1)), status_code = 'ERROR'))) AS errors_by_type,
    arraySort(groupArray(duration_ns)) AS d,
    coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) AS tokens,
    coalesce(sum(cost_usd), 0) AS cost_usd,
    arraySort(groupArray(context_size)) AS cs,
    arraySort(groupArray(queue_depth)) AS qd
  FROM spans
  WHERE start_ns >= {from_ns:Nullable(Int64)} AND start_ns < {to_ns:Nullable(Int64)}
    AND (scope_name IS NULL OR scope_name != 'agentpulse.recovery')
  GROUP BY agent_name, operation, model
)
ORDER BY count DESC, agent, operation, model
