import { str } from '../attrValue.js';
import type { AttrValue, SpanRecord } from '../types.js';
import type { Promoted } from './types.js';

/** Attributes that mark an OpenLLMetry (Traceloop) span: its workflow decorators, and older instrumentations' request type. */
export const OPENLLMETRY_MARKERS = ['traceloop.span.kind', 'traceloop.entity.name', 'traceloop.workflow.name', 'llm.request.type'] as const;

/** `llm.request.type` → GenAI operation. */
const REQUEST_TYPES: ReadonlyMap<string, string> = new Map([
  ['chat', 'chat'],
  ['completion', 'text_completion'],
  ['embedding', 'embeddings'],
]);

/** True when any of the OpenLLMetry marker attributes is present. */
export function hasOpenLlmetryMarker(a: Record<string, AttrValue>): boolean {
  for (const k of OPENLLMETRY_MARKERS) if (a[k] !== undefined) return true;
  return false;
}

/**
 * Fills the promoted columns from OpenLLMetry attributes. Workflow and agent decorator spans
 * become `invoke_agent` (a workflow is the closest thing it has to an agent run), tool spans
 * `execute_tool`; task spans stay without an operation: agentpulse's `task` means a unit of work
 * with a task id, a Traceloop task is one decorated function. The legacy token names
 * (`gen_ai.usage.prompt_tokens`…) and `gen_ai.system` are read by normalize already.
 */
export function promoteOpenLlmetry(span: SpanRecord, row: Promoted): void {
  const a = span.attributes;
  const kind = str(a['traceloop.span.kind']);
  if (kind === 'workflow') {
    row.operation ??= 'invoke_agent';
    row.agentName ??= str(a['traceloop.entity.name']) ?? str(a['traceloop.workflow.name']);
  } else if (kind === 'agent') {
    row.operation ??= 'invoke_agent';
    row.agentName ??= str(a['traceloop.entity.name']);
  } else if (kind === 'tool') {
    row.operation ??= 'execute_tool';
    row.toolName ??= str(a['traceloop.entity.name']);
  }
  if (row.operation === null) {
    const type = str(a['llm.request.type']);
    if (type !== null) row.operation = REQUEST_TYPES.get(type) ?? null;
  }
  // Set by applications through Traceloop.set_association_properties({ session_id }).
  row.sessionId ??= str(a['traceloop.association.properties.session_id']);
}
