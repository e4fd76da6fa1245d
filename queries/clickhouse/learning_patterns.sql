-- learning_patterns: tested patterns and antipatterns from the pattern DB (not the per-task-type base rows, not features too rare to test yet).
-- ClickHouse variant: patterns read FINAL (ReplacingMergeTree: the newest updated_at per id).
-- Parameters (optional; NULL = no filter): {task_type} String, {kind} 'pattern' | 'antipattern'.
SELECT id, kind, task_type, signature, support, successes, success_rate, ci_low, ci_high, lift, confidence, status, evidence
FROM patterns FINAL
WHERE kind IN ('pattern', 'antipattern') AND status != 'observed'
  AND ({task_type:Nullable(String)} IS NULL OR task_type = {task_type:Nullable(String)})
  AND ({kind:Nullable(String)} IS NULL OR kind = {kind:Nullable(String)})
ORDER BY task_type, kind DESC, success_rate, signature
