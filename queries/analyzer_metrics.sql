-- analyzer_metrics: per agent × operation × model in [$from_ns, $to_ns): count, successes, errors by type, exact latency percentiles (quantile_disc), tokens, cost, context size and queue depth p95.
-- Recovery-policy spans (scope_name 'agentpulse.recovery') wrap the calls they retry, so they are left out
-- of per-agent latency; they are reported separately (analyzer_recovery).
-- Parameters: $from_ns, $to_ns  epoch nanoseconds (BIGINT or its decimal string).
SELECT
  agent_name AS agent,
  operation,
  model,
  count(*) AS count,
  count(*) FILTER (WHERE status_code <> 'ERROR') AS successes,
  CAST(to_json(histogram(coalesce(error_type, 'unknown')) FILTER (WHERE status_code = 'ERROR')) AS VARCHAR) AS errors_by_type,
  quantile_disc(duration_ns, [0.5, 0.95, 0.99]) AS latency_ns,
  coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) AS tokens,
  coalesce(sum(cost_usd), 0) AS cost_usd,
  quantile_disc(context_size, 0.95) AS context_size_p95,
  quantile_disc(queue_depth, 0.95) AS queue_depth_p95
FROM spans
WHERE start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT)
  AND coalesce(scope_name, '') <> 'agentpulse.recovery'
GROUP BY ALL
ORDER BY count DESC, agent, operation, model
