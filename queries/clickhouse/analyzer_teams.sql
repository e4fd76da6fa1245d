-- analyzer_teams: per team signature in [$from_ns, $to_ns): runs, success rate, p95 run duration, cost (run = team id, else trace; see queries/analyzer_teams.sql).
-- ClickHouse variant: anyIf over a Nullable so "no team span" is NULL (not ''); nearest-rank p95 over sorted durations.
-- Parameters: {from_ns}, {to_ns} epoch nanoseconds.
WITH runs AS (
  SELECT
    team_signature,
    coalesce(team_id, trace_id) AS run_id,
    coalesce(anyIf(toNullable(status_code), operation = 'team'), argMin(status_code, start_ns)) AS status,
    max(end_ns) - min(start_ns) AS duration_ns,
    coalesce(sum(cost_usd), 0) AS cost_usd
  FROM spans
  WHERE team_signature IS NOT NULL
    AND start_ns >= {from_ns:Nullable(Int64)} AND start_ns < {to_ns:Nullable(Int64)}
  GROUP BY team_signature, run_id
)
SELECT team_signature, runs, success_rate, d[toUInt64(greatest(1, ceil(0.95 * length(d) - 1e-9)))] / 1e6 AS p95_ms, cost_usd
FROM (
  SELECT team_signature, count() AS runs, countIf(status != 'ERROR') / count() AS success_rate,
    arraySort(groupArray(duration_ns)) AS d, sum(cost_usd) AS cost_usd
  FROM runs
  GROUP BY team_signature
)
ORDER BY runs DESC, team_signature
