import type { Attributes } from '@opentelemetry/api';
import { captured, clean, num, obj, str } from './shared.js';
import type { Json } from './shared.js';

/** An AI SDK 7 telemetry event, read loosely: fields differ between operations and releases. */
export type AiEvent = Json;

/** AI SDK provider ids ('openai.chat', 'google.vertex.chat', …) → GenAI `gen_ai.provider.name`, longest prefix first. */
const PROVIDERS: ReadonlyArray<[string, string]> = [
  ['google.vertex', 'gcp.vertex_ai'],
  ['google.generative-ai', 'gcp.gemini'],
  ['google-vertex', 'gcp.vertex_ai'],
  ['amazon-bedrock', 'aws.bedrock'],
  ['azure-openai', 'azure.ai.openai'],
  ['anthropic', 'anthropic'],
  ['openai', 'openai'],
  ['azure', 'azure.ai.inference'],
  ['google', 'gcp.gemini'],
  ['mistral', 'mistral_ai'],
  ['cohere', 'cohere'],
  ['bedrock', 'aws.bedrock'],
  ['groq', 'groq'],
  ['deepseek', 'deepseek'],
  ['perplexity', 'perplexity'],
  ['xai', 'x_ai'],
];

export function aiProviderName(provider: unknown): string | undefined {
  const p = str(provider)?.toLowerCase();
  if (!p) return undefined;
  const hit = PROVIDERS.find(([prefix]) => p === prefix || p.startsWith(`${prefix}.`) || p.startsWith(`${prefix}-`));
  return hit ? hit[1] : p.split('.')[0];
}

function finishReasons(e: AiEvent): string[] | undefined {
  const r = str(e.finishReason);
  return r ? [r] : undefined;
}

function parts(content: unknown, type: string): Json[] {
  return Array.isArray(content) ? content.filter((p): p is Json => obj(p)?.type === type) : [];
}

/** What a finished model call reports: response model and id, tokens, finish reason, tool calls asked for. */
export function chatEndAttributes(e: AiEvent): Attributes {
  const usage = obj(e.usage);
  const inputDetails = obj(usage?.inputTokenDetails);
  const toolCalls = parts(e.content, 'tool-call').map((p) => str(p.toolName)).filter((n): n is string => n !== undefined);
  return clean({
    'gen_ai.response.model': str(e.modelId),
    'gen_ai.response.id': str(e.responseId),
    'gen_ai.response.finish_reasons': finishReasons(e),
    'gen_ai.usage.input_tokens': num(usage?.inputTokens),
    'gen_ai.usage.output_tokens': num(usage?.outputTokens),
    'gen_ai.usage.cache_read.input_tokens': num(inputDetails?.cacheReadTokens),
    'gen_ai.usage.cache_creation.input_tokens': num(inputDetails?.cacheWriteTokens),
    'agentpulse.llm.tool_calls': toolCalls,
    'gen_ai.output.messages': captured(Array.isArray(e.content) ? e.content : e.objectText),
  });
}

/** Token totals of a step or a whole call, kept apart from `gen_ai.usage.*` (the model calls carry those). */
function totals(usage: unknown): Attributes {
  const u = obj(usage);
  return clean({ 'agentpulse.ai.usage.input_tokens': num(u?.inputTokens), 'agentpulse.ai.usage.output_tokens': num(u?.outputTokens) });
}

export function stepEndAttributes(e: AiEvent): Attributes {
  return { ...totals(e.usage), ...clean({ 'gen_ai.response.finish_reasons': finishReasons(e) }) };
}

export function rootEndAttributes(e: AiEvent): Attributes {
  return {
    ...totals(e.totalUsage ?? e.usage),
    ...clean({
      'gen_ai.response.finish_reasons': finishReasons(e),
      'agentpulse.ai.steps': Array.isArray(e.steps) ? e.steps.length : undefined,
      'gen_ai.output.messages': captured(e.text ?? e.object),
    }),
  };
}

export function toolStartAttributes(call: Json): Attributes {
  return clean({
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': str(call.toolName),
    'gen_ai.tool.call.id': str(call.toolCallId),
    'gen_ai.tool.type': call.providerExecuted === true ? 'extension' : 'function',
    'gen_ai.tool.call.arguments': captured(call.input),
  });
}
