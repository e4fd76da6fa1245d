-- analyzer_latency_samples: per agent × operation × model and window ('baseline'|'current'), up to $cap span durations in ms (inputs of the Mann–Whitney test).
-- Scopes with more spans are sampled deterministically: the $cap spans with the smallest hash(trace_id, span_id),
-- an order unrelated to latency or time, so the sample is a uniform draw and the same data gives the same report.
-- Parameters: $base_from_ns, $base_to_ns, $cur_from_ns, $cur_to_ns epoch nanoseconds; $cap rows per scope and window.
SELECT agent, operation, model, win, list(ms) AS samples
FROM (
  SELECT
    agent_name AS agent, operation, model,
    CASE WHEN start_ns >= CAST($cur_from_ns AS BIGINT) THEN 'current' ELSE 'baseline' END AS win,
    duration_ns / 1e6 AS ms,
    hash(trace_id, span_id) AS h
  FROM spans
  WHERE scope_name IS DISTINCT FROM 'agentpulse.recovery'
    AND ((start_ns >= CAST($base_from_ns AS BIGINT) AND start_ns < CAST($base_to_ns AS BIGINT))
      OR (start_ns >= CAST($cur_from_ns AS BIGINT) AND start_ns < CAST($cur_to_ns AS BIGINT)))
  QUALIFY row_number() OVER (PARTITION BY agent_name, operation, model, win ORDER BY h) <= CAST($cap AS BIGINT)
)
GROUP BY ALL
ORDER BY agent, operation, model, win
