-- alerts: current alert state per fingerprint (pending, firing, resolved), newest change first; $state filters (NULL = all).
-- Parameters: $state  'pending' | 'firing' | 'resolved' | NULL.
SELECT fingerprint, rule, severity, state, CAST(scope AS VARCHAR) AS scope, value, threshold,
  strftime(since, '%Y-%m-%dT%H:%M:%SZ') AS since,
  strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') AS updated_at,
  strftime(last_notified_at, '%Y-%m-%dT%H:%M:%SZ') AS last_notified_at
FROM alert_state
WHERE CAST($state AS VARCHAR) IS NULL OR state = CAST($state AS VARCHAR)
ORDER BY updated_at DESC, fingerprint
