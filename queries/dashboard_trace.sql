-- dashboard_trace: every span of one trace, for the waterfall. $at_ns (optional) is a time inside the
-- trace: it bounds the scan to ±1 h around it so DuckDB skips row groups (trace ids are random).
-- $lean = true leaves attributes and events out (the waterfall of a big trace; a span's are asked for by
-- $span_id when it is opened). Parameters: $trace_id; $at_ns (epoch ns); $lean (boolean); $span_id.
SELECT trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, duration_ns, status_code, status_message,
  service_name, operation, agent_name, provider, model, tool_name, task_id, task_type, team_signature, error_type,
  input_tokens, output_tokens, cost_usd, recovery_strategy, recovery_outcome, session_id,
  CASE WHEN coalesce(CAST($lean AS BOOLEAN), false) THEN NULL ELSE CAST(attributes AS VARCHAR) END AS attributes,
  CASE WHEN coalesce(CAST($lean AS BOOLEAN), false) THEN NULL ELSE CAST(events AS VARCHAR) END AS events
FROM spans
WHERE trace_id = $trace_id
  AND (CAST($span_id AS VARCHAR) IS NULL OR span_id = $span_id)
  AND (CAST($at_ns AS BIGINT) IS NULL OR start_ns BETWEEN CAST($at_ns AS BIGINT) - 3600000000000 AND CAST($at_ns AS BIGINT) + 3600000000000)
ORDER BY start_ns, span_id
LIMIT 20000
