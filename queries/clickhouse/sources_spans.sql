-- sources_spans: per service and recognised dialect, the spans that arrived and how many of their model calls name a model, tokens, cost and agent.
-- ClickHouse variant: attribute map lookups and countIf. Parameters: {from_ms}, {to_ms} (epoch ms; NULL = unbounded).
WITH s AS (
  SELECT
    coalesce(service_name, '(no service.name)') AS service,
    multiIf(
      scope_name = 'agentpulse.events', 'agent-events',
      startsWith(name, 'claude_code.'), 'claude-code',
      span_attributes['openinference.span.kind'] != '', 'openinference',
      span_attributes['traceloop.span.kind'] != '' OR span_attributes['llm.request.type'] != '' OR span_attributes['traceloop.entity.name'] != '', 'openllmetry',
      (startsWith(name, 'ai.') AND span_attributes['ai.model.id'] != '') OR name = 'ai.toolCall', 'vercel-ai',
      span_attributes['gen_ai.operation.name'] != '' OR span_attributes['gen_ai.system'] != '' OR span_attributes['gen_ai.provider.name'] != '', 'genai',
      span_attributes['agentpulse.operation'] != '' OR startsWith(coalesce(scope_name, ''), 'agentpulse'), 'agentpulse',
      'unknown') AS dialect,
    operation, model, input_tokens, output_tokens, cost_usd, agent_name,
    operation IN ('chat', 'text_completion', 'generate_content', 'embeddings') AS model_call
  FROM spans
  WHERE ({from_ms:Nullable(Int64)} IS NULL OR start_ns >= {from_ms:Nullable(Int64)} * 1000000)
    AND ({to_ms:Nullable(Int64)} IS NULL OR start_ns < {to_ms:Nullable(Int64)} * 1000000)
)
SELECT
  service,
  dialect,
  count() AS spans,
  count(operation) AS with_operation,
  countIf(model_call) AS model_calls,
  countIf(model_call AND model IS NOT NULL) AS with_model,
  countIf(model_call AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL)) AS with_tokens,
  countIf(model_call AND cost_usd IS NOT NULL) AS with_cost,
  countIf(model_call AND agent_name IS NOT NULL) AS with_agent,
  countIf(operation = 'execute_tool') AS tool_calls
FROM s
GROUP BY service, dialect
ORDER BY service, spans DESC, dialect
