-- dashboard_sessions: the sessions panel — per session active in [$from_ms, $to_ms): cost, duration, agents, model
-- calls, errors; most expensive first. The report's fuller view is analyzer_sessions. Two passes: the top sessions
-- by cost first, then distinct agents for those alone (counting distinct agents of every session was most of the time).
-- SQL both engines run as is. Parameters: $from_ms, $to_ms (epoch ms); $limit (default 100).
WITH top AS (
  SELECT
    session_id,
    sum(CASE WHEN operation IN ('chat', 'text_completion', 'generate_content') THEN 1 ELSE 0 END) AS model_requests,
    sum(CASE WHEN status_code = 'ERROR' THEN 1 ELSE 0 END) AS errors,
    coalesce(sum(cost_usd), 0) AS usd,
    (max(end_ns) - min(start_ns)) / 1e6 AS span_ms,
    min(start_ns) AS first_ns
  FROM spans
  WHERE session_id IS NOT NULL
    AND start_ns >= CAST($from_ms AS BIGINT) * 1000000 AND start_ns < CAST($to_ms AS BIGINT) * 1000000
  GROUP BY session_id
  ORDER BY round(coalesce(sum(cost_usd), 0), 9) DESC, session_id
  LIMIT coalesce(CAST($limit AS INTEGER), 100)
),
agents AS (
  SELECT session_id AS sid, count(DISTINCT agent_name) AS n
  FROM spans
  WHERE session_id IN (SELECT session_id FROM top)
    AND start_ns >= CAST($from_ms AS BIGINT) * 1000000 AND start_ns < CAST($to_ms AS BIGINT) * 1000000
  GROUP BY session_id
)
SELECT t.session_id AS session_id, coalesce(a.n, 0) AS agents, t.model_requests AS model_requests, t.errors AS errors,
  t.usd AS usd, t.span_ms AS span_ms, t.first_ns AS first_ns
FROM top t LEFT JOIN agents a ON a.sid = t.session_id
ORDER BY t.usd DESC, t.session_id
