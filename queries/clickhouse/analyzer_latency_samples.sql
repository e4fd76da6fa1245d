-- analyzer_latency_samples: per agent × operation × model and window ('baseline'|'current'), up to $cap span durations in ms (inputs of the Mann–Whitney test).
-- ClickHouse variant: scopes with more than $cap spans keep the $cap spans with the smallest cityHash64(trace_id, span_id),
-- a uniform, latency-independent, deterministic draw — but not the same draw as DuckDB's hash(), so above the cap the
-- two backends test different (equally valid) samples.
-- Parameters: {base_from_ns}, {base_to_ns}, {cur_from_ns}, {cur_to_ns} epoch nanoseconds; {cap} rows per scope and window.
SELECT agent, operation, model, win, groupArray(ms) AS samples
FROM (
  SELECT
    agent_name AS agent, operation, model,
    if(start_ns >= {cur_from_ns:Nullable(Int64)}, 'current', 'baseline') AS win,
    duration_ns / 1e6 AS ms,
    cityHash64(trace_id, span_id) AS h
  FROM spans
  WHERE (scope_name IS NULL OR scope_name != 'agentpulse.recovery')
    AND ((start_ns >= {base_from_ns:Nullable(Int64)} AND start_ns < {base_to_ns:Nullable(Int64)})
      OR (start_ns >= {cur_from_ns:Nullable(Int64)} AND start_ns < {cur_to_ns:Nullable(Int64)}))
  QUALIFY row_number() OVER (PARTITION BY agent, operation, model, win ORDER BY h) <= {cap:Nullable(Int64)}
)
GROUP BY agent, operation, model, win
ORDER BY agent, operation, model, win
