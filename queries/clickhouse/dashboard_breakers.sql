-- dashboard_breakers: circuit-breaker state per agent: persisted state (kv namespace 'breaker') wins,
-- else the newest circuit_breaker recovery span's breaker state since $since_ns.
-- ClickHouse variant: kv read FINAL; the span attribute comes from the SpanAttributes map.
-- Parameters: {since_ns} (epoch ns; NULL = all time).
WITH persisted AS (
  SELECT replaceRegexpOne(key, '^breaker:', '') AS agent, nullIf(JSONExtractString(value, 'state'), '') AS state, 'kv' AS source
  FROM kv FINAL WHERE namespace = 'breaker'
), observed AS (
  SELECT agent_name AS agent,
    argMax(nullIf(span_attributes['agentpulse.recovery.breaker.state'], ''), start_ns) AS state, 'spans' AS source
  FROM spans
  WHERE recovery_strategy = 'circuit_breaker' AND agent_name IS NOT NULL
    AND ({since_ns:Nullable(Int64)} IS NULL OR start_ns >= {since_ns:Nullable(Int64)})
  GROUP BY agent_name
)
SELECT agent, state, source FROM (
  SELECT agent, state, source FROM persisted
  UNION ALL
  SELECT assumeNotNull(agent) AS agent, state, source FROM observed WHERE state IS NOT NULL AND agent NOT IN (SELECT agent FROM persisted)
)
ORDER BY agent
