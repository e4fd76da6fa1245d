-- learning_recommendations: the recommendations saved by the latest learning runs (one row per recommendation id).
-- ClickHouse variant: recommendations read FINAL (ReplacingMergeTree per id).
SELECT id, run_id, kind, scope, action, rationale, expected_effect, confidence, bounded_by, status, created_at
FROM recommendations FINAL
ORDER BY kind, id
