-- dashboard_duration_quantile: the nearest-rank quantile of span duration (ms) in [$from_ms, $to_ms), over the
-- spans an agent / model / status filter selects (NULL = any): trace search's "slower than p95".
-- Parameters: $from_ms, $to_ms (epoch ms); $p (0..1, default 0.5); $agent, $model, $status.
SELECT quantile_disc(duration_ns, coalesce(CAST($p AS DOUBLE), 0.5)) / 1e6 AS ms, count(*) AS spans
FROM spans
WHERE start_ns >= CAST($from_ms AS BIGINT) * 1000000 AND start_ns < CAST($to_ms AS BIGINT) * 1000000
  AND (CAST($agent AS VARCHAR) IS NULL OR agent_name = $agent)
  AND (CAST($model AS VARCHAR) IS NULL OR model = $model)
  AND (CAST($status AS VARCHAR) IS NULL OR status_code = $status)
