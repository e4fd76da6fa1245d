-- analyzer_sessions: the sessions (conversations: session_id, from gen_ai.conversation.id, session.id or conversation.id)
-- active in [$from_ns, $to_ns), most expensive first: cost, tokens, model requests, tool calls, failures, agents and span.
-- Written in SQL both engines run as is (no FILTER, no DuckDB-only functions; ORDER BY repeats the aggregate, since ClickHouse reads a name that is also a column as the column).
-- Parameters: $from_ns, $to_ns  epoch nanoseconds; $limit  rows (default 20).
SELECT
  session_id,
  min(service_name) AS service_name,
  count(DISTINCT agent_name) AS agents,
  sum(CASE WHEN operation IN ('chat', 'text_completion', 'generate_content') THEN 1 ELSE 0 END) AS model_requests,
  sum(CASE WHEN operation = 'execute_tool' THEN 1 ELSE 0 END) AS tool_calls,
  sum(CASE WHEN status_code = 'ERROR' THEN 1 ELSE 0 END) AS errors,
  coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) AS tokens,
  coalesce(sum(cost_usd), 0) AS cost_usd,
  (max(end_ns) - min(start_ns)) / 1e6 AS span_ms,
  min(start_ns) AS first_ns
FROM spans
WHERE session_id IS NOT NULL
  AND start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT)
GROUP BY session_id
ORDER BY round(coalesce(sum(cost_usd), 0), 9) DESC, session_id
LIMIT coalesce(CAST($limit AS INTEGER), 20)
