-- dashboard_duration_quantile: ClickHouse variant (same definition: nearest rank).
-- Parameters: {from_ms}, {to_ms} (epoch ms); {p} (0..1); {agent}, {model}, {status}.
SELECT quantileExactLow(coalesce({p:Nullable(Float64)}, 0.5))(duration_ns) / 1e6 AS ms, count() AS spans
FROM spans
WHERE start_ns >= {from_ms:Nullable(Int64)} * 1000000 AND start_ns < {to_ms:Nullable(Int64)} * 1000000
  AND ({agent:Nullable(String)} IS NULL OR agent_name = {agent:Nullable(String)})
  AND ({model:Nullable(String)} IS NULL OR model = {model:Nullable(String)})
  AND ({status:Nullable(String)} IS NULL OR status_code = {status:Nullable(String)})
