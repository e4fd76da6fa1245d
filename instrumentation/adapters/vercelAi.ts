import type { AttributeValue, Span } from '@opentelemetry/api';
import { adapterErrorType, adapterSettings } from './shared.js';

/** AI SDK entry points whose `experimental_telemetry` the preload switches on. */
export const AI_TELEMETRY_FUNCTIONS = ['generateText', 'streamText', 'generateObject', 'streamObject', 'embed', 'embedMany'] as const;

/**
 * Wraps an AI SDK function so calls without `experimental_telemetry` run with telemetry on.
 * Inputs/outputs are recorded only when content capture is on. An explicit setting from the
 * caller always wins.
 */
export function wrapAiFunction<F extends (...args: never[]) => unknown>(fn: F): F {
  if (typeof fn !== 'function') return fn;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const opts = args[0];
    if (opts && typeof opts === 'object' && (opts as { experimental_telemetry?: unknown }).experimental_telemetry === undefined) {
      const capture = adapterSettings().captureContent;
      args[0] = { ...opts, experimental_telemetry: { isEnabled: true, recordInputs: capture, recordOutputs: capture } };
    }
    return (fn as unknown as (...a: unknown[]) => unknown).apply(this, args);
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped as unknown as F;
}

/** Called from the AI SDK's own `recordErrorOnSpan` (patched in at load): adds `error.type` from the error object. */
export function recordAiError(span: Span, error: unknown): void {
  try {
    span.setAttribute('error.type', adapterErrorType(error));
  } catch {
    // never disturb the SDK's error path
  }
}

type MutableAttributes = Record<string, AttributeValue | undefined>;

/** AI SDK 5/6 `ai.operationId`s of the spans that stand for one request to a model. */
export const LLM_OPS: ReadonlySet<string> = new Set(['ai.generateText.doGenerate', 'ai.streamText.doStream', 'ai.generateObject.doGenerate', 'ai.streamObject.doStream']);
export const EMBED_OPS: ReadonlySet<string> = new Set(['ai.embed.doEmbed', 'ai.embedMany.doEmbed']);
const CONTENT_KEYS = /^ai\.(prompt|response\.(text|object|toolCalls|reasoning)|toolCall\.(args|result)|values?$|embeddings?$)/;

function providerOf(a: MutableAttributes): string | undefined {
  const p = a['gen_ai.system'] ?? a['ai.model.provider'];
  return typeof p === 'string' ? p.split('.')[0] : undefined;
}

/**
 * Maps the AI SDK's `ai.*` span attributes onto GenAI/agentpulse ones in place: provider calls
 * become `chat`/`embeddings`, tool calls `execute_tool`. The outer `ai.generateText` spans keep
 * their `ai.usage.*` totals only, so tokens are counted once (on the provider-call span).
 */
export function mapAiSdkAttributes(a: MutableAttributes, captureContent: boolean, maxChars: number): void {
  const op = a['ai.operationId'];
  if (typeof op !== 'string') return;
  if (LLM_OPS.has(op)) {
    a['gen_ai.operation.name'] ??= 'chat';
    a['gen_ai.provider.name'] ??= providerOf(a);
    a['gen_ai.request.model'] ??= a['ai.model.id'];
    a['gen_ai.usage.input_tokens'] ??= a['ai.usage.inputTokens'] ?? a['ai.usage.promptTokens'];
    a['gen_ai.usage.output_tokens'] ??= a['ai.usage.outputTokens'] ?? a['ai.usage.completionTokens'];
    if (a['gen_ai.response.finish_reasons'] === undefined && typeof a['ai.response.finishReason'] === 'string') {
      a['gen_ai.response.finish_reasons'] = [a['ai.response.finishReason']];
    }
  } else if (EMBED_OPS.has(op)) {
    a['gen_ai.operation.name'] ??= 'embeddings';
    a['gen_ai.provider.name'] ??= providerOf(a);
    a['gen_ai.request.model'] ??= a['ai.model.id'];
    a['gen_ai.usage.input_tokens'] ??= a['ai.usage.tokens'];
  } else if (op === 'ai.toolCall') {
    a['gen_ai.operation.name'] ??= 'execute_tool';
    a['gen_ai.tool.name'] ??= a['ai.toolCall.name'];
    a['gen_ai.tool.call.id'] ??= a['ai.toolCall.id'];
  } else {
    a['agentpulse.operation'] ??= op;
  }
  for (const key of Object.keys(a)) {
    if (!CONTENT_KEYS.test(key)) continue;
    const v = a[key];
    if (!captureContent) delete a[key];
    else if (typeof v === 'string' && v.length > maxChars) a[key] = `${v.slice(0, maxChars)}…[truncated ${v.length - maxChars} chars]`;
  }
}
