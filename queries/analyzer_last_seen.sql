-- analyzer_last_seen: per agent × operation × model, the newest span start in [$from_ns, $to_ns) (input of absence-of-data alerts).
-- Parameters: $from_ns, $to_ns  epoch nanoseconds.
SELECT agent_name AS agent, operation, model, CAST(max(start_ns) AS VARCHAR) AS last_start_ns, count(*) AS count
FROM spans
WHERE start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT)
  AND coalesce(scope_name, '') <> 'agentpulse.recovery'
GROUP BY ALL
ORDER BY agent, operation, model
