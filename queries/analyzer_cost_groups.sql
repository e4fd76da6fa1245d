-- analyzer_cost_groups: cost in [$from_ns, $to_ns) by session, team composition and task type (one row per group,
-- dim = 'session' | 'team' | 'task_type'), most expensive first; sessions limited to $limit (default 100).
-- Costs rounded to 1e-9 USD before ordering: a float sum differs in its last digits between runs and engines.
-- Written in SQL both engines run as is. Parameters: $from_ns, $to_ns  epoch nanoseconds; $limit.
SELECT dim, key, usd FROM (
SELECT dim, key, usd FROM (
  SELECT 'session' AS dim, session_id AS key, round(coalesce(sum(cost_usd), 0), 9) AS usd
  FROM spans
  WHERE start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT) AND session_id IS NOT NULL AND cost_usd IS NOT NULL
  GROUP BY session_id
  ORDER BY round(coalesce(sum(cost_usd), 0), 9) DESC, session_id
  LIMIT coalesce(CAST($limit AS INTEGER), 100)
) s
UNION ALL
SELECT 'team' AS dim, team_signature AS key, round(coalesce(sum(cost_usd), 0), 9) AS usd
FROM spans
WHERE start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT) AND team_signature IS NOT NULL AND cost_usd IS NOT NULL
GROUP BY team_signature
UNION ALL
SELECT 'task_type' AS dim, task_type AS key, round(coalesce(sum(cost_usd), 0), 9) AS usd
FROM spans
WHERE start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT) AND task_type IS NOT NULL AND cost_usd IS NOT NULL
GROUP BY task_type
) u
ORDER BY dim, usd DESC, key
