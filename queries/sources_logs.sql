-- sources_logs: per service and event name, the log records that arrived, and whether agentpulse turned that event into spans.
-- understood is true for the coding-agent events that become model-call or tool-call spans (see docs/coding-agents.md) and for GenAI evaluation results.
-- Parameters: $from_ms, $to_ms (epoch ms; NULL = unbounded).
SELECT
  coalesce(service_name, '(no service.name)') AS service,
  coalesce(event_name, '(no event name)') AS event_name,
  count(*) AS records,
  coalesce(regexp_replace(event_name, '^claude_code\.', '') IN ('api_request', 'api_error', 'tool_result', 'subagent_completed')
    OR event_name IN ('codex.sse_event', 'codex.api_request', 'codex.tool_result', 'gemini_cli.api_response', 'gemini_cli.api_error',
                      'gemini_cli.tool_call', 'gen_ai.evaluation.result'), false) AS understood
FROM log_records
WHERE time_ns >= coalesce(CAST($from_ms AS BIGINT) * 1000000, -9223372036854775807)
  AND time_ns < coalesce(CAST($to_ms AS BIGINT) * 1000000, 9223372036854775807)
GROUP BY ALL
ORDER BY service, records DESC, event_name
