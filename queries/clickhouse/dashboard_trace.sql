-- dashboard_trace: every span of one trace, for the waterfall. $at_ns (optional) bounds the scan to ±1 h around it.
-- ClickHouse variant: otel_traces has a bloom-filter index on TraceId, so the lookup skips granules even without $at_ns.
-- Parameters: {trace_id}; {at_ns} (epoch ns); {lean} (attributes and events left out); {span_id}.
SELECT trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, duration_ns, status_code, status_message,
  service_name, operation, agent_name, provider, model, tool_name, task_id, task_type, team_signature, error_type,
  input_tokens, output_tokens, cost_usd, recovery_strategy, recovery_outcome, session_id,
  if(coalesce({lean:Nullable(Bool)}, false), NULL, attributes) AS attributes, if(coalesce({lean:Nullable(Bool)}, false), NULL, events) AS events
FROM spans
WHERE trace_id = {trace_id:Nullable(String)}
  AND ({span_id:Nullable(String)} IS NULL OR span_id = {span_id:Nullable(String)})
  AND ({at_ns:Nullable(Int64)} IS NULL OR start_ns BETWEEN {at_ns:Nullable(Int64)} - 3600000000000 AND {at_ns:Nullable(Int64)} + 3600000000000)
ORDER BY start_ns, span_id
LIMIT 20000
