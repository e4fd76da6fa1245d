-- dashboard_teams: team composition history: runs and failures per team signature per time bucket.
-- A run is a 'team' span, or a root span carrying a team signature (a team that is the trace root).
-- Reads raw spans within the window (rollups carry no team dimension).
-- Parameters: $from_ms, $to_ms (epoch ms), $bucket_ms (ms).
SELECT
  team_signature AS team,
  start_ns // 1000000 // CAST($bucket_ms AS BIGINT) * CAST($bucket_ms AS BIGINT) AS t,
  count(*) AS runs,
  count(*) FILTER (WHERE status_code = 'ERROR') AS failures,
  avg(duration_ns) / 1e6 AS avg_ms
FROM spans
WHERE start_ns >= CAST($from_ms AS BIGINT) * 1000000 AND start_ns < CAST($to_ms AS BIGINT) * 1000000
  AND team_signature IS NOT NULL AND (operation = 'team' OR parent_span_id IS NULL)
GROUP BY ALL
ORDER BY team, t
