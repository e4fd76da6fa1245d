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

/** LangChain's run metadata, which OpenInference's LangChain tracers record as a JSON string (`metadata`). */
function metadataOf(a: SpanRecord['attributes']): Record<string, unknown> | null {
  const m = a.metadata;
  if (typeof m !== 'string' || !m.startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(m);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * LangGraph's agents: the graph's own run (`ls_integration: langgraph`, no node) and each node's run
 * (the CHAIN span named after its `langgraph_node`; `__start__` and the like are LangGraph's own).
 * Other runs inside a node (its model calls, tools, lambdas) keep their kinds.
 */
function langGraphAgent(span: SpanRecord, meta: Record<string, unknown> | null): string | null {
  if (meta === null || str(span.attributes[OPENINFERENCE_KIND])?.toUpperCase() !== 'CHAIN') return null;
  const node = typeof meta.langgraph_node === 'string' ? meta.langgraph_node : null;
  if (node === null) return meta.ls_integration === 'langgraph' ? span.name : null;
  return node === span.name && !node.startsWith('__') ? node : null;
}

/**
 * Fills the promoted columns from OpenInference attributes (`llm.*`, `embedding.model_name`,
 * `tool.*`, `agent.name`; `session.id` normalize reads for every span). A TOOL span's call id is
 * `tool_call.id`, else `tool.id` (the result's id, the same value). From LangChain's run metadata:
 * the provider (`ls_provider`) and LangGraph's graph and node runs as `invoke_agent` spans.
 */
export function promoteOpenInference(span: SpanRecord, row: Promoted): void {
  const a = span.attributes;
  const meta = metadataOf(a);
  const agent = langGraphAgent(span, meta);
  if (agent !== null) {
    row.operation ??= 'invoke_agent';
    row.agentName ??= agent;
  }
  const op = (row.operation ??= operationOfKind(str(a[OPENINFERENCE_KIND])));
  row.model ??= str(a['llm.model_name']) ?? str(a['embedding.model_name']);
  row.provider ??= str(a['llm.provider']) ?? str(a['llm.system']) ?? (typeof meta?.ls_provider === 'string' ? meta.ls_provider : null);
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
