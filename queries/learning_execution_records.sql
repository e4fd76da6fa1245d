-- learning_execution_records: one row per task (task_id): type, team, agents/tools in order, models, context, recoveries, outcome, duration, cost.
-- The outcome is explicit feedback when there is any (latest 'success'/'failure' label, else score >= 0.5) —
-- feedback rows and GenAI evaluation results (the `evaluations` view: a pass/fail-like label, else score >= 0.5;
-- an evaluation names its trace, or the evaluated response id, matched to the span with that call id) —
-- otherwise the task span's status (ERROR = failure), or, without a task span, "no span failed".
-- Tasks are windowed by their start (first span), so an incremental run never counts a task twice.
-- Parameters (named, optional: bind NULL to disable):
--   $since_ns    BIGINT   only tasks whose first span starts at or after this (epoch ns)
--   $until_ns    BIGINT   only tasks whose first span starts before this (epoch ns)
--   $task_type   VARCHAR  only this task type
--   $experiment  VARCHAR  fill `variant`/`unit_id` from the span attribute agentpulse.experiment.<name>
WITH s AS (
  SELECT trace_id, start_ns, end_ns, status_code, operation, agent_name, tool_name, model, task_id, task_type,
         team_signature, context_size, cost_usd, error_type, recovery_strategy, recovery_outcome,
         CASE WHEN CAST($experiment AS VARCHAR) IS NULL THEN NULL
              ELSE json_extract_string(attributes, '$."agentpulse.experiment.' || CAST($experiment AS VARCHAR) || '"') END AS variant,
         CASE WHEN CAST($experiment AS VARCHAR) IS NULL THEN NULL
              ELSE json_extract_string(attributes, '$."agentpulse.experiment.' || CAST($experiment AS VARCHAR) || '.unit"') END AS unit_id
  FROM spans
  WHERE task_id IS NOT NULL
    AND (CAST($task_type AS VARCHAR) IS NULL OR task_type = CAST($task_type AS VARCHAR))
),
t AS (
  SELECT
    task_id,
    arg_min(trace_id, start_ns) AS trace_id,
    any_value(task_type) FILTER (WHERE task_type IS NOT NULL) AS task_type,
    any_value(team_signature) FILTER (WHERE team_signature IS NOT NULL) AS team_signature,
    min(start_ns) AS start_ns,
    max(end_ns) AS end_ns,
    list(agent_name ORDER BY start_ns) FILTER (WHERE operation = 'invoke_agent' AND agent_name IS NOT NULL) AS agents,
    list(tool_name ORDER BY start_ns) FILTER (WHERE operation = 'execute_tool' AND tool_name IS NOT NULL) AS tools,
    list(DISTINCT model ORDER BY model) FILTER (WHERE model IS NOT NULL) AS models,
    max(context_size) AS context_size,
    count(*) FILTER (WHERE recovery_strategy IS NOT NULL AND recovery_outcome IN ('recovered', 'failed', 'escalated')) AS recoveries,
    count(*) FILTER (WHERE recovery_outcome = 'recovered') AS recovered,
    list(DISTINCT recovery_strategy ORDER BY recovery_strategy) FILTER (WHERE recovery_strategy IS NOT NULL) AS recovery_strategies,
    list(DISTINCT error_type ORDER BY error_type) FILTER (WHERE error_type IS NOT NULL) AS error_types,
    coalesce(sum(cost_usd), 0) AS cost_usd,
    bool_or(status_code = 'ERROR') FILTER (WHERE operation = 'task') AS task_span_failed,
    bool_or(status_code = 'ERROR') AS any_span_failed,
    any_value(variant) FILTER (WHERE variant IS NOT NULL) AS variant,
    any_value(unit_id) FILTER (WHERE unit_id IS NOT NULL) AS unit_id
  FROM s
  GROUP BY task_id
  HAVING (CAST($since_ns AS BIGINT) IS NULL OR min(start_ns) >= CAST($since_ns AS BIGINT))
     AND (CAST($until_ns AS BIGINT) IS NULL OR min(start_ns) < CAST($until_ns AS BIGINT))
),
ev AS (
  SELECT coalesce(e.trace_id, (SELECT any_value(sp.trace_id ORDER BY sp.trace_id) FROM spans sp WHERE sp.call_id = e.response_id)) AS trace_id,
         CASE WHEN lower(e.score_label) IN ('pass', 'passed', 'success', 'correct', 'good', 'true') THEN true
              WHEN lower(e.score_label) IN ('fail', 'failed', 'failure', 'incorrect', 'bad', 'false') THEN false
              ELSE e.score_value >= 0.5 END AS ok,
         make_timestamp(e.time_ns // 1000) AS occurred
  FROM evaluations e
),
outcomes AS (
  SELECT trace_id, CASE WHEN label = 'success' THEN true WHEN label = 'failure' THEN false ELSE score >= 0.5 END AS ok, created_at AS occurred
  FROM feedback
  WHERE label IN ('success', 'failure') OR score IS NOT NULL
  UNION ALL
  SELECT trace_id, ok, occurred FROM ev WHERE trace_id IS NOT NULL AND ok IS NOT NULL
),
fb AS (
  -- The latest outcome; at the same instant a failure wins (a deterministic tie-breaker).
  SELECT trace_id, arg_max(ok, epoch_us(occurred) * 2 + CASE WHEN ok THEN 0 ELSE 1 END) AS ok
  FROM outcomes
  GROUP BY trace_id
)
SELECT
  t.task_id, t.trace_id, t.task_type, t.team_signature, t.start_ns, t.end_ns, t.end_ns - t.start_ns AS duration_ns,
  coalesce(t.agents, []) AS agents, coalesce(t.tools, []) AS tools, coalesce(t.models, []) AS models, t.context_size,
  t.recoveries, t.recovered, coalesce(t.recovery_strategies, []) AS recovery_strategies, coalesce(t.error_types, []) AS error_types,
  t.cost_usd,
  NOT coalesce(t.task_span_failed, t.any_span_failed) AS status_success,
  fb.ok AS feedback_success,
  coalesce(fb.ok, NOT coalesce(t.task_span_failed, t.any_span_failed)) AS success,
  t.variant, t.unit_id
FROM t LEFT JOIN fb ON fb.trace_id = t.trace_id
ORDER BY t.start_ns, t.task_id
