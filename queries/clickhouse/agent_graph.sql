-- agent_graph: who calls whom in [{from_ms}, {to_ms}). ClickHouse variant: agent paths are built at ingest on DuckDB only
-- (docs/scale-out.md), so an edge is an agent span whose direct parent belongs to another agent, or a handoff link
-- to another agent's span; cost_usd is the callee's own model calls (spans naming it) in the traces it was called in.
-- Parameters: {from_ms}, {to_ms} (epoch ms; NULL = unbounded); {with_cost} (default true).
WITH w AS (
  SELECT trace_id, span_id, parent_span_id, agent_name, operation, duration_ns, status_code, links, cost_usd FROM spans
  WHERE ({from_ms:Nullable(Int64)} IS NULL OR start_ns >= {from_ms:Nullable(Int64)} * 1000000)
    AND ({to_ms:Nullable(Int64)} IS NULL OR start_ns < {to_ms:Nullable(Int64)} * 1000000)
),
agent_spans AS (SELECT * FROM w WHERE operation IN ('invoke_agent', 'create_agent') AND agent_name IS NOT NULL),
nested AS (
  SELECT p.agent_name AS caller_agent, c.agent_name AS callee_agent, c.duration_ns AS duration_ns, c.status_code AS status_code, c.trace_id AS trace_id
  FROM agent_spans c JOIN w p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
  WHERE p.agent_name IS NOT NULL AND p.agent_name != c.agent_name
),
handoffs AS (
  SELECT l.agent_name AS caller_agent, s.agent_name AS callee_agent, s.duration_ns AS duration_ns, s.status_code AS status_code, s.trace_id AS trace_id
  FROM (SELECT agent_name, duration_ns, status_code, trace_id, JSONExtractString(link, 'trace_id') AS lt, JSONExtractString(link, 'span_id') AS ls
        FROM agent_spans ARRAY JOIN JSONExtractArrayRaw(links) AS link) s
  JOIN spans l ON l.trace_id = s.lt AND l.span_id = s.ls
  WHERE l.agent_name IS NOT NULL AND l.agent_name != s.agent_name
),
edges AS (SELECT * FROM nested UNION ALL SELECT * FROM handoffs),
costs AS (
  SELECT e.caller_agent AS caller_agent, e.callee_agent AS callee_agent, sum(w.cost_usd) AS cost_usd
  FROM (SELECT DISTINCT caller_agent, callee_agent, trace_id FROM edges) e JOIN w ON w.trace_id = e.trace_id AND w.agent_name = e.callee_agent
  WHERE coalesce({with_cost:Nullable(Bool)}, true) AND w.cost_usd IS NOT NULL GROUP BY e.caller_agent, e.callee_agent
)
SELECT e.caller_agent AS caller_agent, e.callee_agent AS callee_agent, count() AS calls,
  arraySort(groupArray(e.duration_ns))[toUInt64(ceil(0.95 * count()))] / 1e6 AS p95_ms,
  avg(if(e.status_code = 'ERROR', 1.0, 0.0)) AS error_rate,
  coalesce(any(c.cost_usd), 0) AS cost_usd
FROM edges e LEFT JOIN costs c ON c.caller_agent = e.caller_agent AND c.callee_agent = e.callee_agent
GROUP BY e.caller_agent, e.callee_agent
ORDER BY calls DESC, caller_agent, callee_agent
