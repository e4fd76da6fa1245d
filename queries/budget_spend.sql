-- budget_spend: spend in [$from_ns, $to_ns) per scope of one kind ($dim: 'agent' = nearest agent, 'session', 'team' = team
-- composition, 'task_type'), with the first and last priced span, for budget rules (analyzer/budgets.ts).
-- Written in SQL both engines run as is. Parameters: $from_ns, $to_ns  epoch nanoseconds; $dim.
SELECT key, usd, first_ns, last_ns FROM (
  SELECT
    CASE CAST($dim AS VARCHAR) WHEN 'agent' THEN agent_name WHEN 'session' THEN session_id WHEN 'team' THEN team_signature ELSE task_type END AS key,
    sum(cost_usd) AS usd, min(start_ns) AS first_ns, max(start_ns) AS last_ns
  FROM spans
  WHERE start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT) AND cost_usd IS NOT NULL
  GROUP BY 1
) b
WHERE key IS NOT NULL
ORDER BY usd DESC, key
