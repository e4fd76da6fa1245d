-- agent_summary: per-agent runs, success rate, latency percentiles (exact), top error types, tokens and cost.
-- ClickHouse variant: nearest-rank percentiles over sorted durations (as quantile_disc); error list via groupArray.
-- Parameters (optional; NULL = no filter): {since_ns} only spans with start_ns >= since_ns (epoch nanoseconds)
WITH scoped AS (
  SELECT agent_name, operation, status_code, error_type, duration_ns, input_tokens, output_tokens, cost_usd FROM spans
  WHERE agent_name IS NOT NULL
    AND (scope_name IS NULL OR scope_name != 'agentpulse.recovery')
    AND ({since_ns:Nullable(Int64)} IS NULL OR start_ns >= {since_ns:Nullable(Int64)})
),
runs AS (
  SELECT agent_name, runs, success_rate,
    round(d[toUInt64(greatest(1, ceil(0.50 * length(d) - 1e-9)))] / 1e6, 1) AS p50_ms,
    round(d[toUInt64(greatest(1, ceil(0.95 * length(d) - 1e-9)))] / 1e6, 1) AS p95_ms,
    round(d[toUInt64(greatest(1, ceil(0.99 * length(d) - 1e-9)))] / 1e6, 1) AS p99_ms
  FROM (
    SELECT agent_name, count() AS runs, round(avg(if(status_code = 'ERROR', 0, 1)), 4) AS success_rate,
      arraySort(groupArray(duration_ns)) AS d
    FROM scoped WHERE operation = 'invoke_agent' GROUP BY agent_name
  )
),
errs AS (
  SELECT agent_name,
    arrayStringConcat(arrayMap(x -> x.2, arraySort(x -> -x.1, groupArray((n, concat(error_type, ' ', toDecimalString(round(100.0 * n / total, 1), 1), '%'))))), ', ') AS errors
  FROM (
    SELECT agent_name, error_type, count() AS n, sum(count()) OVER (PARTITION BY agent_name) AS total
    FROM scoped WHERE operation = 'invoke_agent' GROUP BY agent_name, error_type
  ) WHERE error_type IS NOT NULL GROUP BY agent_name
),
usage AS (
  SELECT agent_name, sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) AS tokens, round(round(sum(coalesce(cost_usd, 0)), 9), 4) AS cost_usd
  FROM scoped WHERE operation = 'chat' GROUP BY agent_name
)
SELECT r.agent_name AS agent, r.runs AS runs, r.success_rate AS success_rate, r.p50_ms AS p50_ms, r.p95_ms AS p95_ms, r.p99_ms AS p99_ms,
       coalesce(e.errors, '') AS error_rate_by_type, coalesce(u.tokens, 0) AS tokens, coalesce(u.cost_usd, 0) AS cost_usd
FROM runs r LEFT JOIN errs e ON r.agent_name = e.agent_name LEFT JOIN usage u ON r.agent_name = u.agent_name
ORDER BY runs DESC, agent
