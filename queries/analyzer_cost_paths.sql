-- analyzer_cost_paths: cost and agent invocations in [$from_ns, $to_ns) per agent path (store/agentPath.ts) and nearest agent.
-- The analyzer turns these few rows into each agent's self cost (spans whose nearest agent it is) and subtree cost
-- (spans with the agent anywhere on their path: everything it delegated, transitively, within the trace).
-- A span stored before its schema had agent paths, or whose trace root never arrived, counts under its own agent only.
-- Written in SQL both engines run as is (the output is `path`, not `agent_path`: ClickHouse reads a name that is also a column as the column). Parameters: $from_ns, $to_ns  epoch nanoseconds.
SELECT
  coalesce(agent_path, agent_name, '') AS path,
  agent_name,
  coalesce(sum(cost_usd), 0) AS cost_usd,
  sum(CASE WHEN operation IN ('invoke_agent', 'create_agent') THEN 1 ELSE 0 END) AS calls
FROM spans
WHERE start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT)
  AND (cost_usd IS NOT NULL OR operation IN ('invoke_agent', 'create_agent'))
GROUP BY coalesce(agent_path, agent_name, ''), agent_name
ORDER BY path, agent_name NULLS FIRST
