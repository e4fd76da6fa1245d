-- alert_events: alert state transitions (history), newest first; $fingerprint filters (NULL = all), $limit rows (NULL = 200).
-- ClickHouse variant. Parameters: {fingerprint} String, {limit} Int64.
SELECT formatDateTime(occurred_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS occurred_at, fingerprint, rule, severity, from_state, to_state,
  value, threshold, scope
FROM alert_events
WHERE {fingerprint:Nullable(String)} IS NULL OR fingerprint = {fingerprint:Nullable(String)}
ORDER BY occurred_at DESC, fingerprint
LIMIT coalesce({limit:Nullable(Int64)}, 200)
