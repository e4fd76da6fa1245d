import { amount, count, str } from '../attrValue.js';
import type { SpanRecord } from '../types.js';
import type { Promoted } from './types.js';

/** The attribute that marks an OpenInference (Arize Phoenix) span. */
export const OPENINFERENCE_KIND = 'openinference.span.kind';

/**
 * `openinference.span.kind` → operation. Kinds with a GenAI operation take its name; the others
 * keep their own, lower-cased, so they stay visible without posing as model or tool calls.
 */
const KIND_OPERATIONS: ReadonlyMap<string, string> = new Map([
  ['LLM', 'chat'],
  ['EMBEDDING', 'embeddings'],
  ['TOOL', 'execute_tool'],
  ['AGENT', 'invoke_agent'],
  ['RETRIEVER', 'retrieval'],
  ['CHAIN', 'chain'],
  ['RERANKER', 'reranker'],
  ['GUARDRAIL', 'guardrail'],
  ['EVALUATOR', 'evaluator'],
  ['PROMPT', 'prompt'],
  ['DECISION', 'decision'],
]);

function operationOfKind(kind: string | null): string | null {
  return kind === null ? null : (KIND_OPERATIONS.get(kind.toUpperCase()) ?? null);
}

/**
 * Fills the promoted columns from OpenInference attributes (`llm.*`, `embedding.model_name`,
 * `tool.*`, `agent.name`; `session.id` normalize reads for every span). A TOOL span's call id is
 * `tool_call.id`, else `tool.id` (the result's id, the same value).
 */
export function promoteOpenInference(span: SpanRecord, row: Promoted): void {
  const a = span.attributes;
  const op = (row.operation ??= operationOfKind(str(a[OPENINFERENCE_KIND])));
  row.model ??= str(a['llm.model_name']) ?? str(a['embedding.model_name']);
  row.provider ??= str(a['llm.provider']) ?? str(a['llm.system']);
  row.inputTokens ??= count(a['llm.token_count.prompt']);
  row.outputTokens ??= count(a['llm.token_count.completion']);
  if (row.costUsd === null) {
    const total = amount(a['llm.cost.total']);
    if (total !== null) row.costUsd = total;
    else {
      // Without a total, its parts add up to it.
      const prompt = amount(a['llm.cost.prompt']);
      const completion = amount(a['llm.cost.completion']);
      if (prompt !== null && completion !== null) row.costUsd = prompt + completion;
    }
  }
  row.toolName ??= str(a['tool.name']);
  row.agentName ??= str(a['agent.name']);
  if (op === 'execute_tool') row.callId ??= str(a['tool_call.id']) ?? str(a['tool.id']);
}
