-- sources_logs: per service and event name, the log records that arrived, and whether agentpulse turned that event into spans.
-- ClickHouse variant (log_records is a view over the exporter's otel_logs). Parameters: {from_ms}, {to_ms} (epoch ms; NULL = unbounded).
SELECT
  coalesce(service_name, '(no service.name)') AS service,
  coalesce(event_name, '(no event name)') AS event_name,
  count() AS records,
  CAST(any(coalesce(replaceRegexpOne(event_name, '^claude_code\\.', '') IN ('api_request', 'api_error', 'tool_result', 'subagent_completed')
    OR event_name IN ('codex.sse_event', 'codex.api_request', 'codex.tool_result', 'gemini_cli.api_response', 'gemini_cli.api_error',
                      'gemini_cli.tool_call', 'gen_ai.evaluation.result'), false)) AS Bool) AS understood
FROM log_records
WHERE ({from_ms:Nullable(Int64)} IS NULL OR time_ns >= {from_ms:Nullable(Int64)} * 1000000)
  AND ({to_ms:Nullable(Int64)} IS NULL OR time_ns < {to_ms:Nullable(Int64)} * 1000000)
GROUP BY service, event_name
ORDER BY service, records DESC, event_name
