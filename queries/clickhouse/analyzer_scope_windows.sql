-- analyzer_scope_windows: per agent × operation × model, span and error counts in the baseline and current windows (inputs of the two-proportion error-rate test).
-- ClickHouse variant. Parameters: {base_from_ns}, {base_to_ns}, {cur_from_ns}, {cur_to_ns} epoch nanoseconds.
SELECT
  agent_name AS agent, operation, model,
  countIf(start_ns < {base_to_ns:Nullable(Int64)}) AS base_n,
  countIf(start_ns < {base_to_ns:Nullable(Int64)} AND status_code = 'ERROR') AS base_errors,
  countIf(start_ns >= {cur_from_ns:Nullable(Int64)}) AS cur_n,
  countIf(start_ns >= {cur_from_ns:Nullable(Int64)} AND status_code = 'ERROR') AS cur_errors
FROM spans
WHERE (scope_name IS NULL OR scope_name != 'agentpulse.recovery')
  AND ((start_ns >= {base_from_ns:Nullable(Int64)} AND start_ns < {base_to_ns:Nullable(Int64)})
    OR (start_ns >= {cur_from_ns:Nullable(Int64)} AND start_ns < {cur_to_ns:Nullable(Int64)}))
GROUP BY agent_name, operation, model
ORDER BY agent, operation, model
