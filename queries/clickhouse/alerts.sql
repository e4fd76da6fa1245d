-- alerts: current alert state per fingerprint (pending, firing, resolved), newest change first; $state filters (NULL = all).
-- ClickHouse variant: alert_state is a ReplacingMergeTree (latest updated_at wins), read FINAL.
SELECT fingerprint, rule, severity, state, scope, value, threshold,
  formatDateTime(since, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS since,
  formatDateTime(updated_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS updated_at,
  formatDateTime(last_notified_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS last_notified_at
FROM alert_state FINAL
WHERE {state:Nullable(String)} IS NULL OR state = {state:Nullable(String)}
ORDER BY updated_at DESC, fingerprint
