import { count, str } from '../attrValue.js';
import type { AttrValue, SpanRecord } from '../types.js';
import type { Promoted } from './types.js';

/** Provider calls: the only spans that carry a model call's tokens (the outer spans repeat the totals). */
const MODEL_CALLS: ReadonlyMap<string, string> = new Map([
  ['ai.generateText.doGenerate', 'chat'],
  ['ai.streamText.doStream', 'chat'],
  ['ai.generateObject.doGenerate', 'chat'],
  ['ai.streamObject.doStream', 'chat'],
  ['ai.embed.doEmbed', 'embeddings'],
  ['ai.embedMany.doEmbed', 'embeddings'],
]);

/** The AI SDK's own operation id (the span name unless an exporter renamed the span). */
function operationIdOf(span: SpanRecord): string {
  const id = span.attributes['ai.operationId'];
  return typeof id === 'string' && id.length > 0 ? id : span.name;
}

/** True for an AI SDK `ai.*` span: an `ai.` name with the SDK's operation id, model or tool call attributes. */
export function isVercelAiSpan(name: string, a: Record<string, AttrValue>): boolean {
  if (!name.startsWith('ai.')) return false;
  return a['ai.operationId'] !== undefined || a['ai.model.id'] !== undefined || a['ai.toolCall.name'] !== undefined || MODEL_CALLS.has(name);
}

/** 'openai.chat' → 'openai': the provider id before the first dot. */
function providerOf(v: AttrValue | undefined): string | null {
  const p = str(v);
  if (p === null) return null;
  const dot = p.indexOf('.');
  return dot > 0 ? p.slice(0, dot) : p;
}

/**
 * Fills the promoted columns from AI SDK `ai.*` attributes. `….doGenerate`/`….doStream` are the
 * model calls (`chat`), `….doEmbed` the embedding calls, `ai.toolCall` the tool calls; the outer
 * `ai.generateText`… spans are wrappers and stay without an operation, model or tokens, so a
 * call is counted once. The provider is the AI SDK's provider id before its first dot, also over
 * `gen_ai.system` (which the SDK sets to the same 'openai.chat'). `ai.telemetry.functionId` names the calling feature, the nearest thing
 * the SDK has to an agent: it becomes the agent name when no GenAI attribute gives one.
 */
export function promoteVercelAi(span: SpanRecord, row: Promoted): void {
  const a = span.attributes;
  const opId = operationIdOf(span);
  const op = MODEL_CALLS.get(opId);
  if (op !== undefined) {
    row.operation ??= op;
    row.model ??= str(a['ai.model.id']);
    // Overrides gen_ai.system, where the SDK puts the same id with its API suffix ('openai.chat').
    row.provider = providerOf(a['ai.model.provider']) ?? row.provider;
    if (op === 'embeddings') row.inputTokens ??= count(a['ai.usage.tokens']);
    else {
      row.inputTokens ??= count(a['ai.usage.inputTokens']) ?? count(a['ai.usage.promptTokens']);
      row.outputTokens ??= count(a['ai.usage.outputTokens']) ?? count(a['ai.usage.completionTokens']);
      row.callId ??= str(a['ai.response.id']);
    }
  } else if (opId === 'ai.toolCall') {
    row.operation ??= 'execute_tool';
    row.toolName ??= str(a['ai.toolCall.name']);
    row.callId ??= str(a['ai.toolCall.id']);
  }
  row.agentName ??= str(a['ai.telemetry.functionId']);
}
