-- sources_metrics: per service and metric name, the data points that arrived, with kind, unit and temporality.
-- Parameters: $from_ms, $to_ms (epoch ms; NULL = unbounded).
SELECT
  coalesce(service_name, '(no service.name)') AS service,
  name,
  any_value(kind ORDER BY point_id) AS kind,
  any_value(unit ORDER BY point_id) AS unit,
  string_agg(DISTINCT coalesce(temporality, '-'), ',' ORDER BY coalesce(temporality, '-')) AS temporality,
  count(*) AS points,
  count(DISTINCT series_id) AS series
FROM metric_points
WHERE time_ns >= coalesce(CAST($from_ms AS BIGINT) * 1000000, -9223372036854775807)
  AND time_ns < coalesce(CAST($to_ms AS BIGINT) * 1000000, 9223372036854775807)
GROUP BY ALL
ORDER BY service, points DESC, name
