-- dashboard_breakers: circuit-breaker state per agent: persisted state (kv namespace 'breaker') wins,
-- else the newest circuit_breaker recovery span's breaker state since $since_ns.
-- Parameters: $since_ns (epoch ns; NULL = all time).
WITH persisted AS (
  SELECT regexp_replace(key, '^breaker:', '') AS agent, json_extract_string(value, '$.state') AS state, 'kv' AS source
  FROM kv WHERE namespace = 'breaker'
), observed AS (
  SELECT agent_name AS agent,
    arg_max(json_extract_string(attributes, '$."agentpulse.recovery.breaker.state"'), start_ns) AS state, 'spans' AS source
  FROM spans
  WHERE recovery_strategy = 'circuit_breaker' AND agent_name IS NOT NULL
    AND (CAST($since_ns AS BIGINT) IS NULL OR start_ns >= CAST($since_ns AS BIGINT))
  GROUP BY agent_name
)
SELECT agent, state, source FROM persisted
UNION ALL
SELECT agent, state, source FROM observed WHERE state IS NOT NULL AND agent NOT IN (SELECT agent FROM persisted)
ORDER BY agent
