-- dashboard_teams: team composition history: runs and failures per team signature per time bucket (a run is a 'team' span or a root span with a team signature).
-- ClickHouse variant. Parameters: {from_ms}, {to_ms} (epoch ms), {bucket_ms} (ms).
SELECT
  team_signature AS team,
  intDiv(intDiv(start_ns, 1000000), {bucket_ms:Nullable(Int64)}) * {bucket_ms:Nullable(Int64)} AS t,
  count() AS runs,
  countIf(status_code = 'ERROR') AS failures,
  avg(duration_ns) / 1e6 AS avg_ms
FROM spans
WHERE start_ns >= {from_ms:Nullable(Int64)} * 1000000 AND start_ns < {to_ms:Nullable(Int64)} * 1000000
  AND team_signature IS NOT NULL AND (operation = 'team' OR parent_span_id IS NULL)
GROUP BY team, t
ORDER BY team, t
