import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { currentAiAgent, outsideAiAgent } from './aiSdkAgents.js';
import { aiProviderName, chatEndAttributes, rootEndAttributes, stepEndAttributes, toolStartAttributes } from './aiSdkAttributes.js';
import type { AiEvent } from './aiSdkAttributes.js';
import { adapterTracer, addCallContextSource, captured, clean, failSpan, num, obj, str } from './shared.js';
import type { CallContextSource, LlmSpanTarget } from './shared.js';

const tracer = adapterTracer('ai');

/** Operations that run an agent loop (steps of model calls and tool executions). */
const AGENT_OPERATIONS = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject']);
/** Open calls kept at most (a stream nobody reads never ends); the oldest is closed beyond this. */
const MAX_OPEN_CALLS = 4096;

interface Open {
  span: Span;
  ctx: Context;
}

interface CallState {
  root: Open;
  agent?: string;
  step?: Open;
  chat?: Open;
  tools: Map<string, Open>;
  embeds: Map<string, Span>;
}

function open(name: string, kind: SpanKind, attributes: Attributes, parent: Context): Open {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** True for @ai-sdk/otel's integration: when the app registered it, its spans stand and ours step aside. */
function isOtelIntegration(i: unknown): boolean {
  const o = i as { constructor?: { name?: string }; executeLanguageModelCall?: unknown } | null;
  return !!o && o.constructor?.name === 'OpenTelemetry' && typeof o.executeLanguageModelCall === 'function';
}

/**
 * An AI SDK 7 telemetry integration (the interface `registerTelemetry` takes) that records each
 * call as GenAI spans: `invoke_agent` → `step N` (`agent_step`) → `chat {model}` and
 * `execute_tool {tool}`, plus `embeddings {model}` per embedding call. Tokens sit on the model
 * calls only (the step and agent spans keep their totals under `agentpulse.ai.usage.*`), so
 * nothing is counted twice; cost is filled from the price table when the span ends.
 * Events of AI SDK 6 (no `callId`) are ignored: that version is traced through its own spans.
 * @example
 * (globalThis.AI_SDK_TELEMETRY_INTEGRATIONS ??= []).push(new AiSdkTelemetry());
 */
export class AiSdkTelemetry implements CallContextSource {
  private readonly calls = new Map<string, CallState>();
  /** Model-call spans still open: a provider SDK adapter called inside one enriches it instead of adding a second. */
  private readonly chats = new WeakSet<Span>();

  constructor(private readonly integrations: () => readonly unknown[] = () => []) {}

  private state(e: AiEvent): CallState | undefined {
    return typeof e?.callId === 'string' ? this.calls.get(e.callId) : undefined;
  }

  onStart(e: AiEvent): void {
    const callId = str(e?.callId);
    const op = str(e?.operationId);
    if (!callId || !op || this.integrations().some(isOtelIntegration)) return;
    const agent = str(e.functionId) ?? currentAiAgent();
    const base = clean({ 'gen_ai.agent.name': agent, 'gen_ai.provider.name': aiProviderName(e.provider), 'gen_ai.request.model': str(e.modelId) });
    const root = AGENT_OPERATIONS.has(op)
      ? open(agent ? `invoke_agent ${agent}` : 'invoke_agent', SpanKind.INTERNAL, {
          ...base,
          ...clean({
            'gen_ai.operation.name': 'invoke_agent',
            'agentpulse.ai.operation_id': op,
            'gen_ai.request.temperature': num(e.temperature),
            'gen_ai.request.max_tokens': num(e.maxOutputTokens),
            'gen_ai.system_instructions': captured(e.instructions ?? e.system),
            'gen_ai.input.messages': captured(e.messages ?? e.prompt),
          }),
        }, context.active())
      : open(op, SpanKind.INTERNAL, { ...base, 'agentpulse.operation': op }, context.active());
    if (this.calls.size >= MAX_OPEN_CALLS) this.closeOldest();
    this.calls.set(callId, { root, agent, tools: new Map(), embeds: new Map() });
  }

  onStepStart(e: AiEvent): void {
    const s = this.state(e);
    if (!s) return;
    if (s.step) this.onStepEnd({ callId: e.callId });
    const n = (num(e.stepNumber) ?? (Array.isArray(e.steps) ? e.steps.length : 0)) + 1;
    s.step = open(`step ${n}`, SpanKind.INTERNAL, clean({ 'gen_ai.operation.name': 'agent_step', 'gen_ai.agent.name': s.agent, 'agentpulse.ai.step': n }), s.root.ctx);
  }

  onLanguageModelCallStart(e: AiEvent): void {
    const s = this.state(e);
    if (!s) return;
    if (s.chat) this.endChat(s, new Error('superseded by the next model call'));
    const model = str(e.modelId) ?? 'unknown';
    s.chat = open(`chat ${model}`, SpanKind.CLIENT, clean({
      'gen_ai.operation.name': 'chat',
      'gen_ai.agent.name': s.agent,
      'gen_ai.provider.name': aiProviderName(e.provider),
      'gen_ai.request.model': model,
      'gen_ai.input.messages': captured(e.messages),
    }), (s.step ?? s.root).ctx);
    this.chats.add(s.chat.span);
  }

  onLanguageModelCallEnd(e: AiEvent): void {
    const s = this.state(e);
    if (!s?.chat) return;
    s.chat.span.setAttributes(chatEndAttributes(e));
    if (e.finishReason === 'error') s.chat.span.setStatus({ code: SpanStatusCode.ERROR });
    this.endChat(s);
  }

  /** AI SDK 7 (deprecated `generateObject`/`streamObject`): one model call per step. */
  onObjectStepStart(e: AiEvent): void {
    this.onLanguageModelCallStart(e);
  }

  onObjectStepEnd(e: AiEvent): void {
    this.onLanguageModelCallEnd({ ...e, modelId: str(obj(e.response)?.modelId) ?? e.modelId, responseId: obj(e.response)?.id });
  }

  /** Runs the provider request inside the `chat` span, so spans under it (HTTP, provider SDKs) nest. */
  executeLanguageModelCall<T>(e: AiEvent & { execute: () => T }): T {
    const s = this.state(e);
    const ctx = (s?.chat ?? s?.step)?.ctx;
    return ctx ? context.with(ctx, e.execute) : e.execute();
  }

  onToolExecutionStart(e: AiEvent): void {
    const s = this.state(e);
    const call = obj(e.toolCall);
    const id = str(call?.toolCallId);
    if (!s || !call || !id) return;
    const name = str(call.toolName) ?? 'tool';
    s.tools.set(id, open(`execute_tool ${name}`, SpanKind.INTERNAL, { ...toolStartAttributes(call), ...clean({ 'gen_ai.agent.name': s.agent }) }, (s.step ?? s.root).ctx));
  }

  /** Runs a tool inside its `execute_tool` span and outside the calling agent's scope (agents called from tools nest under it). */
  executeTool<T>(e: AiEvent & { execute: () => T }): T {
    const tool = this.state(e)?.tools.get(str(e.toolCallId) ?? '');
    return outsideAiAgent(() => (tool ? context.with(tool.ctx, e.execute) : e.execute()));
  }

  onToolExecutionEnd(e: AiEvent): void {
    const s = this.state(e);
    const id = str(obj(e.toolCall)?.toolCallId) ?? '';
    const tool = s?.tools.get(id);
    if (!s || !tool) return;
    const output = obj(e.toolOutput);
    if (output?.type === 'tool-error') failSpan(tool.span, output.error);
    else tool.span.setAttributes(clean({ 'gen_ai.tool.call.result': captured(output?.output) }));
    tool.span.end();
    s.tools.delete(id);
  }

  onStepEnd(e: AiEvent): void {
    const s = this.state(e);
    if (!s?.step) return;
    s.step.span.setAttributes(stepEndAttributes(e));
    if (e.finishReason === 'error') s.step.span.setStatus({ code: SpanStatusCode.ERROR });
    s.step.span.end();
    s.step = undefined;
  }

  onStepError(e: AiEvent): void {
    const s = this.state(e);
    if (!s) return;
    if (s.chat) this.endChat(s, e.error);
    if (s.step) {
      failSpan(s.step.span, e.error);
      s.step.span.end();
      s.step = undefined;
    }
  }

  onEmbedStart(e: AiEvent): void {
    const s = this.state(e);
    const id = str(e.embedCallId);
    if (!s || !id) return;
    const model = str(e.modelId) ?? 'unknown';
    const attributes = clean({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.agent.name': s.agent, 'gen_ai.provider.name': aiProviderName(e.provider), 'gen_ai.request.model': model });
    s.embeds.set(id, open(`embeddings ${model}`, SpanKind.CLIENT, attributes, s.root.ctx).span);
  }

  onEmbedEnd(e: AiEvent): void {
    const s = this.state(e);
    const span = s?.embeds.get(str(e.embedCallId) ?? '');
    if (!s || !span) return;
    span.setAttributes(clean({ 'gen_ai.usage.input_tokens': num(obj(e.usage)?.tokens) }));
    span.end();
    s.embeds.delete(String(e.embedCallId));
  }

  onEnd(e: AiEvent): void {
    const s = this.state(e);
    if (!s) return;
    s.root.span.setAttributes(rootEndAttributes(e));
    if (e.finishReason === 'error') s.root.span.setStatus({ code: SpanStatusCode.ERROR });
    this.finish(String(e.callId), s);
  }

  onError(e: AiEvent): void {
    const s = this.state(e);
    if (s) this.finish(String(e.callId), s, e.error ?? e);
  }

  onAbort(e: AiEvent): void {
    const s = this.state(e);
    if (!s) return;
    s.root.span.setAttribute('agentpulse.ai.aborted', true);
    this.finish(String(e.callId), s);
  }

  llmSpan(): LlmSpanTarget | undefined {
    const span = trace.getSpan(context.active());
    return span && this.chats.has(span) ? span : undefined;
  }

  parent(): Context | undefined {
    return undefined;
  }

  private endChat(s: CallState, error?: unknown): void {
    if (!s.chat) return;
    this.chats.delete(s.chat.span);
    if (error !== undefined) failSpan(s.chat.span, error);
    s.chat.span.end();
    s.chat = undefined;
  }

  /** Ends whatever of the call is still open (failed with `error` when given), then the root. */
  private finish(callId: string, s: CallState, error?: unknown): void {
    this.calls.delete(callId);
    const spans = [...s.tools.values()].map((t) => t.span);
    if (s.chat) {
      this.chats.delete(s.chat.span);
      spans.push(s.chat.span);
    }
    spans.push(...s.embeds.values());
    if (s.step) spans.push(s.step.span);
    spans.push(s.root.span);
    for (const span of spans) {
      if (error !== undefined) failSpan(span, error);
      span.end();
    }
  }

  private closeOldest(): void {
    const [callId, s] = this.calls.entries().next().value as [string, CallState];
    s.root.span.setAttribute('agentpulse.ai.incomplete', true);
    this.finish(callId, s);
  }
}

const REGISTERED = Symbol.for('agentpulse.aiSdkTelemetry');

interface AiGlobal {
  AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[];
  [REGISTERED]?: AiSdkTelemetry;
}

/**
 * Adds the integration to AI SDK 7's global list (what `registerTelemetry` from `ai` does), without
 * loading `ai`: calls made with no per-call `telemetry.integrations` are traced. Once per process.
 */
export function registerAiSdkTelemetry(): AiSdkTelemetry {
  const g = globalThis as unknown as AiGlobal;
  const existing = g[REGISTERED];
  if (existing) return existing;
  const list = (g.AI_SDK_TELEMETRY_INTEGRATIONS ??= []);
  const integration = new AiSdkTelemetry(() => g.AI_SDK_TELEMETRY_INTEGRATIONS ?? []);
  list.push(integration);
  Object.defineProperty(g, REGISTERED, { value: integration });
  addCallContextSource(integration);
  return integration;
}
