-- learning_patterns: tested patterns and antipatterns from the pattern DB (not the per-task-type base rows, not features too rare to test yet).
-- Parameters (named, optional: bind NULL to disable):
--   $task_type  VARCHAR  only this task type
--   $kind       VARCHAR  'pattern' or 'antipattern'
SELECT id, kind, task_type, signature, support, successes, success_rate, ci_low, ci_high, lift, confidence, status,
       CAST(evidence AS VARCHAR) AS evidence
FROM patterns
WHERE kind IN ('pattern', 'antipattern') AND status <> 'observed'
  AND (CAST($task_type AS VARCHAR) IS NULL OR task_type = CAST($task_type AS VARCHAR))
  AND (CAST($kind AS VARCHAR) IS NULL OR kind = CAST($kind AS VARCHAR))
ORDER BY task_type, kind DESC, success_rate, signature
