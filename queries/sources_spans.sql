-- sources_spans: per service and recognised dialect, the spans that arrived and how many of their model calls name a model, tokens, cost and agent.
-- The dialect is read from the span as stored: derived from agent events, a Claude Code trace span, OpenInference, OpenLLMetry, Vercel AI SDK, the GenAI conventions, agentpulse's own names, or unknown.
-- Parameters: $from_ms, $to_ms (epoch ms; NULL = unbounded).
WITH s AS (
  SELECT
    coalesce(service_name, '(no service.name)') AS service,
    CASE
      WHEN scope_name = 'agentpulse.events' THEN 'agent-events'
      WHEN name LIKE 'claude\_code.%' ESCAPE '\' THEN 'claude-code'
      WHEN (attributes->>'openinference.span.kind') IS NOT NULL THEN 'openinference'
      WHEN (attributes->>'traceloop.span.kind') IS NOT NULL OR (attributes->>'llm.request.type') IS NOT NULL OR (attributes->>'traceloop.entity.name') IS NOT NULL THEN 'openllmetry'
      WHEN name LIKE 'ai.%' AND (attributes->>'ai.model.id') IS NOT NULL OR name = 'ai.toolCall' THEN 'vercel-ai'
      WHEN (attributes->>'gen_ai.operation.name') IS NOT NULL OR (attributes->>'gen_ai.system') IS NOT NULL OR (attributes->>'gen_ai.provider.name') IS NOT NULL THEN 'genai'
      WHEN (attributes->>'agentpulse.operation') IS NOT NULL OR scope_name LIKE 'agentpulse%' THEN 'agentpulse'
      ELSE 'unknown'
    END AS dialect,
    operation, model, input_tokens, output_tokens, cost_usd, agent_name
  FROM spans
  WHERE start_ns >= coalesce(CAST($from_ms AS BIGINT) * 1000000, -9223372036854775807)
    AND start_ns < coalesce(CAST($to_ms AS BIGINT) * 1000000, 9223372036854775807)
)
SELECT
  service,
  dialect,
  count(*) AS spans,
  count(operation) AS with_operation,
  count(*) FILTER (WHERE operation IN ('chat', 'text_completion', 'generate_content', 'embeddings')) AS model_calls,
  count(*) FILTER (WHERE operation IN ('chat', 'text_completion', 'generate_content', 'embeddings') AND model IS NOT NULL) AS with_model,
  count(*) FILTER (WHERE operation IN ('chat', 'text_completion', 'generate_content', 'embeddings') AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL)) AS with_tokens,
  count(*) FILTER (WHERE operation IN ('chat', 'text_completion', 'generate_content', 'embeddings') AND cost_usd IS NOT NULL) AS with_cost,
  count(*) FILTER (WHERE operation IN ('chat', 'text_completion', 'generate_content', 'embeddings') AND agent_name IS NOT NULL) AS with_agent,
  count(*) FILTER (WHERE operation = 'execute_tool') AS tool_calls
FROM s
GROUP BY service, dialect
ORDER BY service, spans DESC, dialect
