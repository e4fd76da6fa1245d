-- sources_metrics: per service and metric name, the data points that arrived, with kind, unit and temporality.
-- ClickHouse variant (metric_points is a view over the exporter's otel_metrics_* tables). Parameters: {from_ms}, {to_ms} (epoch ms; NULL = unbounded).
SELECT
  coalesce(service_name, '(no service.name)') AS service,
  name,
  argMin(kind, point_id) AS kind,
  argMin(unit, point_id) AS unit,
  arrayStringConcat(arraySort(groupUniqArray(coalesce(temporality, '-'))), ',') AS temporality,
  count() AS points,
  uniqExact(series_id) AS series
FROM metric_points
WHERE ({from_ms:Nullable(Int64)} IS NULL OR time_ns >= {from_ms:Nullable(Int64)} * 1000000)
  AND ({to_ms:Nullable(Int64)} IS NULL OR time_ns < {to_ms:Nullable(Int64)} * 1000000)
GROUP BY service, name
ORDER BY service, points DESC, name
