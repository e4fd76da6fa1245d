-- dashboard_teams: team composition history: runs and failures per team signature per time bucket.
-- A run is a 'team' span, or a root span carrying a team signature (a team that is the trace root).
-- Reads the work rollups (rollup_work_range picks minute, hour or day rows that fit the bucket).
-- Parameters: $from_ms, $to_ms (epoch ms), $bucket_ms (ms).
SELECT
  team_signature AS team,
  epoch_ms(minute) // CAST($bucket_ms AS BIGINT) * CAST($bucket_ms AS BIGINT) AS t,
  sum(span_count) AS runs,
  sum(error_count) AS failures,
  sum(duration_sum_ns) / sum(span_count) / 1e6 AS avg_ms
FROM rollup_work_range(epoch_ms(CAST($from_ms AS BIGINT)), epoch_ms(CAST($to_ms AS BIGINT)), CAST($bucket_ms AS BIGINT))
WHERE team_signature IS NOT NULL AND (operation = 'team' OR is_root)
GROUP BY ALL
ORDER BY team, t
