-- learning_recommendations: the recommendations saved by the latest learning runs (one row per recommendation id).
SELECT id, run_id, kind, CAST(scope AS VARCHAR) AS scope, action, rationale, CAST(expected_effect AS VARCHAR) AS expected_effect,
       confidence, bounded_by, status, created_at
FROM recommendations
ORDER BY kind, id
