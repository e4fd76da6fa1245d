-- alert_events: alert state transitions (history), newest first; $fingerprint filters (NULL = all), $limit rows (NULL = 200).
-- Parameters: $fingerprint VARCHAR, $limit BIGINT.
SELECT strftime(occurred_at, '%Y-%m-%dT%H:%M:%SZ') AS occurred_at, fingerprint, rule, severity, from_state, to_state,
  value, threshold, CAST(scope AS VARCHAR) AS scope
FROM alert_events
WHERE CAST($fingerprint AS VARCHAR) IS NULL OR fingerprint = CAST($fingerprint AS VARCHAR)
ORDER BY occurred_at DESC, fingerprint
LIMIT coalesce(CAST($limit AS BIGINT), 200)
