-- dashboard_traces: the newest traces containing spans that match the filters (the drill-down behind a panel).
-- Reads raw spans within the window; every filter is optional (NULL = any).
-- Parameters: $from_ms, $to_ms (epoch ms); $agent, $error_type, $status ('ERROR'|'OK'|'UNSET'), $model,
--   $team, $task_type, $strategy (recovery strategy), $session (session id), $min_ms (min span duration),
--   $q (text in span names, case-insensitive); $limit (default 50).
WITH hits AS (
  SELECT trace_id, span_id, start_ns, name, duration_ns, status_code, agent_name, error_type, session_id
  FROM spans
  WHERE start_ns >= CAST($from_ms AS BIGINT) * 1000000 AND start_ns < CAST($to_ms AS BIGINT) * 1000000
    AND (CAST($agent AS VARCHAR) IS NULL OR agent_name = $agent)
    AND (CAST($error_type AS VARCHAR) IS NULL OR (error_type = $error_type AND status_code = 'ERROR')
         OR ($error_type = '_OTHER' AND error_type IS NULL AND status_code = 'ERROR'))
    AND (CAST($status AS VARCHAR) IS NULL OR status_code = $status)
    AND (CAST($model AS VARCHAR) IS NULL OR model = $model)
    AND (CAST($team AS VARCHAR) IS NULL OR team_signature = $team)
    AND (CAST($task_type AS VARCHAR) IS NULL OR task_type = $task_type)
    AND (CAST($strategy AS VARCHAR) IS NULL OR recovery_strategy = $strategy)
    AND (CAST($session AS VARCHAR) IS NULL OR session_id = $session)
    AND (CAST($min_ms AS DOUBLE) IS NULL OR duration_ns >= CAST($min_ms AS DOUBLE) * 1e6)
    AND (CAST($q AS VARCHAR) IS NULL OR contains(lower(name), lower(CAST($q AS VARCHAR))))
  ORDER BY start_ns DESC, trace_id, span_id
  LIMIT 2000
)
SELECT trace_id, max(start_ns) AS start_ns, count(*) AS matching_spans,
  arg_max(name, start_ns) AS span_name, max(duration_ns) / 1e6 AS max_ms,
  count(*) FILTER (WHERE status_code = 'ERROR') AS errors,
  list(DISTINCT agent_name ORDER BY agent_name) FILTER (WHERE agent_name IS NOT NULL) AS agents,
  min(session_id) AS session_id
FROM hits
GROUP BY trace_id
ORDER BY start_ns DESC, trace_id
LIMIT coalesce(CAST($limit AS INTEGER), 50)
