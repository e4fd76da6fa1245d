-- dashboard_traces: the newest traces containing spans that match the filters (the drill-down behind a panel).
-- ClickHouse variant. Every filter is optional (NULL = any).
-- Parameters: {from_ms}, {to_ms} (epoch ms); {agent}, {error_type}, {status}, {model}, {team}, {task_type}, {strategy}, {session}, {min_ms}, {q} (text in span names); {limit} (default 50).
WITH hits AS (
  SELECT trace_id, span_id, start_ns, name, duration_ns, status_code, agent_name, error_type, session_id
  FROM spans
  WHERE start_ns >= {from_ms:Nullable(Int64)} * 1000000 AND start_ns < {to_ms:Nullable(Int64)} * 1000000
    AND ({agent:Nullable(String)} IS NULL OR agent_name = {agent:Nullable(String)})
    AND ({error_type:Nullable(String)} IS NULL OR (error_type = {error_type:Nullable(String)} AND status_code = 'ERROR')
         OR ({error_type:Nullable(String)} = '_OTHER' AND error_type IS NULL AND status_code = 'ERROR'))
    AND ({status:Nullable(String)} IS NULL OR status_code = {status:Nullable(String)})
    AND ({model:Nullable(String)} IS NULL OR model = {model:Nullable(String)})
    AND ({team:Nullable(String)} IS NULL OR team_signature = {team:Nullable(String)})
    AND ({task_type:Nullable(String)} IS NULL OR task_type = {task_type:Nullable(String)})
    AND ({strategy:Nullable(String)} IS NULL OR recovery_strategy = {strategy:Nullable(String)})
    AND ({session:Nullable(String)} IS NULL OR session_id = {session:Nullable(String)})
    AND ({min_ms:Nullable(Float64)} IS NULL OR duration_ns >= {min_ms:Nullable(Float64)} * 1e6)
    AND ({q:Nullable(String)} IS NULL OR positionCaseInsensitiveUTF8(name, assumeNotNull({q:Nullable(String)})) > 0)
  ORDER BY start_ns DESC, trace_id, span_id
  LIMIT 2000
)
SELECT trace_id, max(start_ns) AS start_ns, count() AS matching_spans,
  argMax(name, start_ns) AS span_name, max(duration_ns) / 1e6 AS max_ms,
  countIf(status_code = 'ERROR') AS errors,
  arraySort(groupUniqArray(agent_name)) AS agents,
  min(session_id) AS session_id
FROM hits
GROUP BY trace_id
ORDER BY max(start_ns) DESC, trace_id
LIMIT coalesce({limit:Nullable(Int64)}, 50)
