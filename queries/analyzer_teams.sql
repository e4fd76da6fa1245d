-- analyzer_teams: per team signature (sorted member list) in [$from_ns, $to_ns): runs, success rate, p95 run duration, cost.
-- A run is one team id (or, for SDKs that send no team id, one trace) carrying a team signature. Its outcome is
-- the status of its 'team' span when there is one, else of its earliest span (the run's root); its duration is
-- first start to last end; its cost is the sum over its spans.
-- Parameters: $from_ns, $to_ns  epoch nanoseconds.
WITH runs AS (
  SELECT
    team_signature,
    coalesce(team_id, trace_id) AS run_id,
    coalesce(any_value(status_code) FILTER (WHERE operation = 'team'), arg_min(status_code, start_ns)) AS status,
    max(end_ns) - min(start_ns) AS duration_ns,
    coalesce(sum(cost_usd), 0) AS cost_usd
  FROM spans
  WHERE team_signature IS NOT NULL
    AND start_ns >= CAST($from_ns AS BIGINT) AND start_ns < CAST($to_ns AS BIGINT)
  GROUP BY team_signature, coalesce(team_id, trace_id)
)
SELECT
  team_signature,
  count(*) AS runs,
  count(*) FILTER (WHERE status <> 'ERROR') / count(*) AS success_rate,
  quantile_disc(duration_ns, 0.95) / 1e6 AS p95_ms,
  sum(cost_usd) AS cost_usd
FROM runs
GROUP BY team_signature
ORDER BY runs DESC, team_signature
