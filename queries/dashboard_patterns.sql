-- dashboard_patterns: learned findings and the other tested patterns, with their effectiveness (support, success rate, interval, lift).
-- A finding (one per effect, see docs/learning.md) is one row over the task types it holds, its
-- restating rows folded into `aliases` ("task_type/signature (relation)"); rows in no finding follow.
WITH p AS (
  SELECT id, kind, task_type, signature, support, successes, success_rate, ci_low, ci_high, lift, confidence, status,
    first_seen, last_seen, updated_at,
    json_extract_string(evidence, '$.finding_id') AS finding_id,
    json_extract_string(evidence, '$.finding_role') AS finding_role,
    json_extract_string(evidence, '$.finding_kind') AS finding_kind,
    json_extract_string(evidence, '$.alias_relation') AS alias_relation
  FROM patterns
  -- Only tested patterns and antipatterns: per-task-type base-rate rows and features seen too rarely
  -- to test (status 'observed') are the learning system's bookkeeping, not findings.
  WHERE kind IN ('pattern', 'antipattern') AND status <> 'observed'
),
folded AS (
  SELECT finding_id, list(task_type || '/' || signature || ' (' || alias_relation || ')'
    ORDER BY CASE alias_relation WHEN 'same_runs' THEN 0 WHEN 'within' THEN 1 WHEN 'explained' THEN 2 ELSE 3 END, signature, task_type) AS aliases
  FROM p WHERE finding_role = 'alias' GROUP BY finding_id
),
findings AS (
  SELECT finding_id AS id, any_value(finding_kind) AS kind, string_agg(task_type, ', ' ORDER BY task_type) AS task_type,
    any_value(signature) AS signature, sum(support) AS support, sum(successes) AS successes,
    sum(successes) / sum(support) AS success_rate, NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high, NULL::DOUBLE AS lift,
    max(confidence) AS confidence, string_agg(DISTINCT status, ', ' ORDER BY status) AS status,
    min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(updated_at) AS updated_at
  FROM p WHERE finding_role = 'finding' GROUP BY finding_id
),
rows_ AS (
  SELECT 0 AS part, f.*, coalesce(a.aliases, []) AS aliases FROM findings f LEFT JOIN folded a ON a.finding_id = f.id
  UNION ALL
  SELECT 1 AS part, id, kind, task_type, signature, support, successes, success_rate, ci_low, ci_high, lift, confidence, status,
    first_seen, last_seen, updated_at, [] AS aliases
  FROM p WHERE finding_role IS NULL
)
SELECT id, kind, task_type, signature, support, successes, success_rate, ci_low, ci_high, lift, confidence, status, aliases,
  part = 0 AS finding, epoch_ms(first_seen) AS first_seen_ms, epoch_ms(last_seen) AS last_seen_ms, epoch_ms(updated_at) AS updated_ms
FROM rows_
ORDER BY part, CASE WHEN status LIKE '%promoted%' THEN 0 WHEN status LIKE '%candidate%' THEN 1 ELSE 2 END, kind, confidence DESC NULLS LAST, support DESC NULLS LAST, id
LIMIT 200
