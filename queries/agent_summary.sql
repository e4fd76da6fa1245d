-- agent_summary: per-agent runs, success rate, latency percentiles (exact), top error types, tokens and cost.
-- Parameters (optional; NULL = no filter):
--   $since_ns  BIGINT  only spans with start_ns >= $since_ns (epoch nanoseconds)
WITH scoped AS (
  SELECT * FROM spans
  WHERE agent_name IS NOT NULL
    AND (scope_name IS NULL OR scope_name <> 'agentpulse.recovery')
    AND (CAST($since_ns AS BIGINT) IS NULL OR start_ns >= CAST($since_ns AS BIGINT))
),
runs AS (
  SELECT agent_name,
         count(*) AS runs,
         round(avg(CASE WHEN status_code = 'ERROR' THEN 0 ELSE 1 END), 4) AS success_rate,
         round(quantile_disc(duration_ns, 0.50) / 1e6, 1) AS p50_ms,
         round(quantile_disc(duration_ns, 0.95) / 1e6, 1) AS p95_ms,
         round(quantile_disc(duration_ns, 0.99) / 1e6, 1) AS p99_ms
  FROM scoped WHERE operation = 'invoke_agent' GROUP BY agent_name
),
errs AS (
  SELECT agent_name, string_agg(error_type || ' ' || round(100.0 * n / total, 1) || '%', ', ' ORDER BY n DESC) AS errors
  FROM (
    SELECT agent_name, error_type, count(*) AS n, sum(count(*)) OVER (PARTITION BY agent_name) AS total
    FROM scoped WHERE operation = 'invoke_agent' GROUP BY agent_name, error_type
  ) WHERE error_type IS NOT NULL GROUP BY agent_name
),
usage AS (
  SELECT agent_name, sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) AS tokens, round(round(sum(coalesce(cost_usd, 0)), 9), 4) AS cost_usd
  FROM scoped WHERE operation = 'chat' GROUP BY agent_name
)
SELECT r.agent_name AS agent, r.runs, r.success_rate, r.p50_ms, r.p95_ms, r.p99_ms,
       coalesce(e.errors, '') AS error_rate_by_type, coalesce(u.tokens, 0) AS tokens, coalesce(u.cost_usd, 0) AS cost_usd
FROM runs r LEFT JOIN errs e USING (agent_name) LEFT JOIN usage u USING (agent_name)
ORDER BY r.runs DESC, agent
