-- analyzer_last_seen: per agent × operation × model, the newest span start in [$from_ns, $to_ns) (input of absence-of-data alerts).
-- ClickHouse variant. Parameters: {from_ns}, {to_ns} epoch nanoseconds.
SELECT agent_name AS agent, operation, model, toString(max(start_ns)) AS last_start_ns, count() AS count
FROM spans
WHERE start_ns >= {from_ns:Nullable(Int64)} AND start_ns < {to_ns:Nullable(Int64)}
  AND (scope_name IS NULL OR scope_name != 'agentpulse.recovery')
GROUP BY agent_name, operation, model
ORDER BY agent, operation, model
