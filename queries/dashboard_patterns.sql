-- dashboard_patterns: learned patterns and antipatterns with their effectiveness (support, success rate, interval, lift).
SELECT id, kind, task_type, signature, support, successes, success_rate, ci_low, ci_high, lift, confidence, status,
  epoch_ms(first_seen) AS first_seen_ms, epoch_ms(last_seen) AS last_seen_ms, epoch_ms(updated_at) AS updated_ms
FROM patterns
-- Only tested patterns and antipatterns: per-task-type base-rate rows and features seen too rarely
-- to test (status 'observed') are the learning system's bookkeeping, not findings.
WHERE kind IN ('pattern', 'antipattern') AND status <> 'observed'
ORDER BY CASE status WHEN 'promoted' THEN 0 WHEN 'candidate' THEN 1 ELSE 2 END, kind, confidence DESC NULLS LAST, support DESC NULLS LAST, id
LIMIT 200
