-- agent_graph: who calls whom in [$from_ms, $to_ms): one row per caller → callee agent, from agent invocations
-- (an invoke_agent/create_agent span whose agent path ends 'caller > callee', store/agentPath.ts) and from handoff
-- links (an agent span linking to another agent's span: caller = the linked span's agent).
-- calls = invocations, p95_ms = their nearest-rank p95 duration, error_rate = share that ended ERROR,
-- cost_usd = what the callee's model calls cost while called by that caller (spans whose path ends 'caller > callee').
-- Parameters: $from_ms, $to_ms (epoch ms; NULL = unbounded); $with_cost (default true; false leaves cost_usd 0 and
-- skips reading every model call's path: the dashboard's graph, which does not show cost).
-- The window as plain bounds (NULL = unbounded through coalesce, not OR), so the scan skips row groups
-- outside it; inlined (NOT MATERIALIZED) so each branch reads only the columns it needs.
WITH w AS NOT MATERIALIZED (
  SELECT * FROM spans
  WHERE start_ns >= coalesce(CAST($from_ms AS BIGINT) * 1000000, -9223372036854775807)
    AND start_ns < coalesce(CAST($to_ms AS BIGINT) * 1000000, 9223372036854775807)
),
-- Calls: only agent spans whose path ends with their own agent, split once each.
nested AS (
  SELECT p[len(p) - 1] AS caller_agent, p[len(p)] AS callee_agent, duration_ns, status_code
  FROM (SELECT string_split(agent_path, ' > ') AS p, duration_ns, status_code
        FROM w WHERE operation IN ('invoke_agent', 'create_agent') AND agent_path LIKE '% > %' AND ends_with(agent_path, ' > ' || agent_name))
),
handoffs AS (
  SELECT l.agent_name AS caller_agent, s.agent_name AS callee_agent, s.duration_ns, s.status_code
  FROM (SELECT trace_id, span_id, agent_name, duration_ns, status_code,
               unnest(from_json(links, '[{"trace_id":"VARCHAR","span_id":"VARCHAR"}]')) AS link
        FROM w WHERE operation IN ('invoke_agent', 'create_agent') AND agent_name IS NOT NULL AND CAST(links AS VARCHAR) <> '[]') s
  JOIN spans l ON l.trace_id = s.link.trace_id AND l.span_id = s.link.span_id
  WHERE l.agent_name IS NOT NULL AND l.agent_name <> s.agent_name
),
edges AS (SELECT * FROM nested UNION ALL SELECT * FROM handoffs),
-- Costs: summed per distinct path first (few), then split.
path_costs AS (
  SELECT agent_path, sum(cost_usd) AS cost_usd FROM w
  WHERE coalesce(CAST($with_cost AS BOOLEAN), true) AND cost_usd IS NOT NULL AND agent_path LIKE '% > %' GROUP BY agent_path
),
costs AS (
  SELECT p[len(p) - 1] AS caller_agent, p[len(p)] AS callee_agent, sum(cost_usd) AS cost_usd
  FROM (SELECT string_split(agent_path, ' > ') AS p, cost_usd FROM path_costs) GROUP BY 1, 2
)
SELECT e.caller_agent, e.callee_agent, count(*) AS calls,
  quantile_disc(e.duration_ns, 0.95) / 1e6 AS p95_ms,
  avg(CASE WHEN e.status_code = 'ERROR' THEN 1.0 ELSE 0.0 END) AS error_rate,
  coalesce(any_value(c.cost_usd), 0) AS cost_usd
FROM edges e LEFT JOIN costs c ON c.caller_agent = e.caller_agent AND c.callee_agent = e.callee_agent
GROUP BY e.caller_agent, e.callee_agent
ORDER BY calls DESC, e.caller_agent, e.callee_agent
