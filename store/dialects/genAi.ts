import type { SpanRecord } from '../types.js';
import type { Promoted } from './types.js';

/**
 * GenAI operation names a span name may start with (`{operation} {model|tool|agent}`), mapped to
 * the stored operation. `invoke_workflow` was folded into `invoke_agent` (semantic-conventions-genai
 * v0.1.0). Memory operations are left out until their names settle.
 */
const OPERATIONS: ReadonlyMap<string, string> = new Map([
  ['chat', 'chat'],
  ['text_completion', 'text_completion'],
  ['generate_content', 'generate_content'],
  ['embeddings', 'embeddings'],
  ['retrieval', 'retrieval'],
  ['execute_tool', 'execute_tool'],
  ['create_agent', 'create_agent'],
  ['invoke_agent', 'invoke_agent'],
  ['invoke_workflow', 'invoke_agent'],
  ['plan', 'plan'],
]);

/** The operation a GenAI-style span name starts with, or null: 'chat gpt-4o' → 'chat', 'invoke_workflow triage' → 'invoke_agent'. */
export function operationFromName(name: string): string | null {
  const space = name.indexOf(' ');
  return OPERATIONS.get(space < 0 ? name : name.slice(0, space)) ?? null;
}

/**
 * Operation from the span name, and from the rest of the name the model (model calls), tool
 * (`execute_tool`) or agent (`invoke_agent`, `create_agent`): the convention's span-name layout.
 * Only for spans no attribute names an operation for.
 */
export function promoteFromName(span: SpanRecord, row: Promoted): void {
  const name = span.name;
  const space = name.indexOf(' ');
  const op = OPERATIONS.get(space < 0 ? name : name.slice(0, space));
  if (op === undefined) return;
  row.operation = op;
  const rest = space < 0 ? '' : name.slice(space + 1).trim();
  if (rest === '') return;
  if (op === 'chat' || op === 'text_completion' || op === 'generate_content' || op === 'embeddings') row.model ??= rest;
  else if (op === 'execute_tool') row.toolName ??= rest;
  else if (op === 'invoke_agent' || op === 'create_agent') row.agentName ??= rest;
}

/** Gemini CLI span names, for a span that lost `gen_ai.operation.name` (it normally carries it). */
const GEMINI_SPANS: ReadonlyMap<string, string> = new Map([
  ['llm_call', 'chat'],
  ['tool_call', 'execute_tool'],
  ['agent_call', 'invoke_agent'],
]);

/**
 * Gemini CLI traces already speak GenAI (normalize reads its `gen_ai.tool.call_id` near-miss);
 * only the operation may need the span name.
 */
export function promoteGeminiCli(span: SpanRecord, row: Promoted): void {
  row.operation ??= GEMINI_SPANS.get(span.name) ?? null;
}
