-- learning_execution_records: one row per task (task_id): type, team, agents/tools in order, models, context, recoveries, outcome, duration, cost.
-- ClickHouse variant (same definitions as queries/learning_execution_records.sql): ordered lists via sorted
-- (start_ns, value) tuples, NULL-aware -If aggregates over Nullable values so "no such span" stays NULL,
-- and the experiment variant read from the SpanAttributes map.
-- Parameters (optional; NULL = no filter): {since_ns}, {until_ns} Int64; {task_type}, {experiment} String.
WITH s AS (
  SELECT trace_id, start_ns, end_ns, status_code, operation, agent_name, tool_name, model, task_id, task_type,
         team_signature, context_size, cost_usd, error_type, recovery_strategy, recovery_outcome,
         if({experiment:Nullable(String)} IS NULL, NULL,
            nullIf(span_attributes[concat('agentpulse.experiment.', assumeNotNull({experiment:Nullable(String)}))], '')) AS variant,
         if({experiment:Nullable(String)} IS NULL, NULL,
            nullIf(span_attributes[concat('agentpulse.experiment.', assumeNotNull({experiment:Nullable(String)}), '.unit')], '')) AS unit_id
  FROM spans
  WHERE task_id IS NOT NULL
    AND ({task_type:Nullable(String)} IS NULL OR task_type = {task_type:Nullable(String)})
),
t AS (
  SELECT
    task_id,
    argMin(trace_id, start_ns) AS trace_id,
    any(task_type) AS task_type,
    any(team_signature) AS team_signature,
    min(start_ns) AS start_ns,
    max(end_ns) AS end_ns,
    arrayMap(x -> x.2, arraySort(groupArrayIf((start_ns, assumeNotNull(agent_name)), operation = 'invoke_agent' AND agent_name IS NOT NULL))) AS agents,
    arrayMap(x -> x.2, arraySort(groupArrayIf((start_ns, assumeNotNull(tool_name)), operation = 'execute_tool' AND tool_name IS NOT NULL))) AS tools,
    arraySort(groupUniqArray(model)) AS models,
    max(context_size) AS context_size,
    countIf(recovery_strategy IS NOT NULL AND recovery_outcome IN ('recovered', 'failed', 'escalated')) AS recoveries,
    countIf(recovery_outcome = 'recovered') AS recovered,
    arraySort(groupUniqArray(recovery_strategy)) AS recovery_strategies,
    arraySort(groupUniqArray(error_type)) AS error_types,
    coalesce(sum(cost_usd), 0) AS cost_usd,
    maxIf(toNullable(status_code = 'ERROR'), operation = 'task') AS task_span_failed,
    max(status_code = 'ERROR') AS any_span_failed,
    any(variant) AS variant,
    any(unit_id) AS unit_id
  FROM s
  GROUP BY task_id
  HAVING ({since_ns:Nullable(Int64)} IS NULL OR min(start_ns) >= {since_ns:Nullable(Int64)})
     AND ({until_ns:Nullable(Int64)} IS NULL OR min(start_ns) < {until_ns:Nullable(Int64)})
),
fb AS (
  SELECT trace_id,
         argMax(toNullable(multiIf(label = 'success', true, label = 'failure', false, score >= 0.5)), created_at) AS ok
  FROM feedback
  WHERE label IN ('success', 'failure') OR score IS NOT NULL
  GROUP BY trace_id
)
SELECT
  t.task_id AS task_id, t.trace_id AS trace_id, t.task_type AS task_type, t.team_signature AS team_signature,
  t.start_ns AS start_ns, t.end_ns AS end_ns, t.end_ns - t.start_ns AS duration_ns,
  t.agents AS agents, t.tools AS tools, t.models AS models, t.context_size AS context_size,
  t.recoveries AS recoveries, t.recovered AS recovered, t.recovery_strategies AS recovery_strategies, t.error_types AS error_types,
  t.cost_usd AS cost_usd,
  toBool(NOT coalesce(t.task_span_failed, t.any_span_failed)) AS status_success,
  if(fb.ok IS NULL, NULL, toBool(fb.ok)) AS feedback_success,
  toBool(coalesce(fb.ok, NOT coalesce(t.task_span_failed, t.any_span_failed))) AS success,
  t.variant AS variant, t.unit_id AS unit_id
FROM t LEFT JOIN fb ON fb.trace_id = t.trace_id
ORDER BY start_ns, task_id
