import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Link, Span } from '@opentelemetry/api';
import { adapterErrorType, adapterTracer, addCallContextSource, captured, clean, num, obj, str } from './shared.js';
import type { Json, LlmSpanTarget } from './shared.js';

const tracer = adapterTracer('openai-agents');

/** The parts of an Agents SDK trace/span this bridge reads (agents-core `Trace` / `Span`). */
interface AgentsTrace {
  traceId: string;
  name: string;
  groupId?: string | null;
}
interface AgentsSpan {
  traceId: string;
  spanId: string;
  parentId: string | null;
  spanData: Json & { type: string };
  startedAt: string | null;
  endedAt: string | null;
  error: { message: string; data?: Json } | null;
}

interface AgentsModule {
  addTraceProcessor?: (p: unknown) => void;
  getGlobalTraceProvider?: () => { setProcessors?: (ps: unknown[]) => void };
  getCurrentSpan?: () => AgentsSpan | null;
}

const LLM_TYPES = new Set(['generation', 'response']);

function time(iso: string | null): Date | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function usageAttributes(u: Json | undefined): Attributes {
  if (!u) return {};
  return clean({ 'gen_ai.usage.input_tokens': num(u.input_tokens), 'gen_ai.usage.output_tokens': num(u.output_tokens) });
}

/** Name and attributes an Agents SDK span starts with. */
function startShape(d: AgentsSpan['spanData']): { name: string; kind: SpanKind; attributes: Attributes } {
  switch (d.type) {
    case 'agent':
      return {
        name: `invoke_agent ${str(d.name) ?? 'agent'}`,
        kind: SpanKind.INTERNAL,
        attributes: clean({
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': str(d.name),
          'agentpulse.agent.handoffs': strings(d.handoffs),
          'agentpulse.agent.tools': strings(d.tools),
        }),
      };
    case 'generation':
      return {
        name: `chat ${str(d.model) ?? 'unknown'}`,
        kind: SpanKind.CLIENT,
        attributes: clean({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': str(d.model) }),
      };
    case 'response':
      return { name: 'chat', kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai' } };
    case 'function':
      return {
        name: `execute_tool ${str(d.name) ?? 'tool'}`,
        kind: SpanKind.INTERNAL,
        attributes: clean({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': str(d.name), 'gen_ai.tool.type': 'function' }),
      };
    case 'handoff':
      return { name: 'handoff', kind: SpanKind.INTERNAL, attributes: clean({ 'agentpulse.operation': 'handoff', 'agentpulse.handoff.from': str(d.from_agent) }) };
    case 'guardrail':
      return { name: `guardrail ${str(d.name) ?? ''}`.trim(), kind: SpanKind.INTERNAL, attributes: clean({ 'agentpulse.operation': 'guardrail', 'agentpulse.guardrail.name': str(d.name) }) };
    default:
      return { name: `agents.${d.type}${str(d.name) ? ` ${str(d.name)}` : ''}`, kind: SpanKind.INTERNAL, attributes: { 'agentpulse.agents.span_type': d.type } };
  }
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

/** Attributes only known when an Agents SDK span ends (usage, outputs, who a handoff went to). */
function endAttributes(d: AgentsSpan['spanData']): Attributes {
  switch (d.type) {
    case 'agent':
      // The runner fills an agent span's tools and handoffs after starting it.
      return clean({ 'agentpulse.agent.handoffs': strings(d.handoffs), 'agentpulse.agent.tools': strings(d.tools), 'agentpulse.agent.output_type': str(d.output_type) });
    case 'generation':
      return clean({
        ...usageAttributes(obj(d.usage)),
        'gen_ai.input.messages': captured(d.input),
        'gen_ai.output.messages': captured(d.output),
      });
    case 'response': {
      const r = obj(d._response);
      return clean({
        'gen_ai.request.model': str(r?.model),
        'gen_ai.response.model': str(r?.model),
        'gen_ai.response.id': str(d.response_id) ?? str(r?.id),
        ...usageAttributes(obj(r?.usage)),
        'gen_ai.input.messages': captured(d._input),
        'gen_ai.output.messages': captured(r?.output),
      });
    }
    case 'function':
      return clean({ 'gen_ai.tool.call.arguments': captured(d.input), 'gen_ai.tool.call.result': captured(d.output) });
    case 'handoff':
      return clean({ 'agentpulse.handoff.from': str(d.from_agent), 'agentpulse.handoff.to': str(d.to_agent) });
    case 'guardrail':
      return { 'agentpulse.guardrail.triggered': d.triggered === true };
    case 'turn':
    case 'task':
      // Aggregates of the generations below: kept apart from gen_ai.usage.* so tokens are not counted twice.
      return clean({
        'gen_ai.agent.name': str(d.agent_name),
        'agentpulse.agents.usage.input_tokens': num(obj(d.usage)?.input_tokens),
        'agentpulse.agents.usage.output_tokens': num(obj(d.usage)?.output_tokens),
      });
    default:
      return {};
  }
}

/**
 * An Agents SDK `TracingProcessor` that mirrors every trace into OpenTelemetry: the trace becomes
 * a `workflow` root span, agent/generation/response/function/handoff/guardrail spans become
 * children with GenAI attributes, and the agent a handoff went to links back to the handoff span.
 */
export class AgentsTraceBridge {
  private readonly roots = new Map<string, Span>();
  private readonly spans = new Map<string, Span>();
  private readonly agentOf = new Map<string, string>();
  /** Attributes provider adapters reported for an LLM span, applied when it ends. */
  private readonly pending = new Map<string, Attributes>();
  /** Per trace: handoff span waiting to be linked from the agent it handed off to. */
  private readonly handoffLinks = new Map<string, Map<string, Link>>();
  /**
   * Per trace: what failed inside it (a tripped guardrail, a model call's error class). The runner
   * reports the enclosing agent, turn and task only as 'Error in agent run'; they take this instead.
   */
  private readonly causes = new Map<string, string>();

  constructor(private readonly agents: AgentsModule) {}

  async onTraceStart(t: AgentsTrace): Promise<void> {
    const root = tracer.startSpan(
      `workflow ${t.name}`,
      { attributes: clean({ 'agentpulse.operation': 'workflow', 'agentpulse.agents.workflow': t.name, 'agentpulse.agents.trace_id': t.traceId, 'agentpulse.agents.group_id': t.groupId ?? undefined }) },
      context.active(),
    );
    this.roots.set(t.traceId, root);
  }

  async onTraceEnd(t: AgentsTrace): Promise<void> {
    this.roots.get(t.traceId)?.end();
    this.roots.delete(t.traceId);
    this.handoffLinks.delete(t.traceId);
    this.causes.delete(t.traceId);
  }

  private parentContext(traceId: string, parentId: string | null): Context {
    const parent = (parentId && this.spans.get(parentId)) || this.roots.get(traceId);
    return parent ? trace.setSpan(ROOT_CONTEXT, parent) : context.active();
  }

  async onSpanStart(s: AgentsSpan): Promise<void> {
    const shape = startShape(s.spanData);
    const agent = s.spanData.type === 'agent' ? str(s.spanData.name) : s.parentId ? this.agentOf.get(s.parentId) : undefined;
    if (agent) this.agentOf.set(s.spanId, agent);
    const links: Link[] = [];
    if (s.spanData.type === 'agent' && agent) {
      const link = this.handoffLinks.get(s.traceId)?.get(agent);
      if (link) links.push(link);
    }
    const span = tracer.startSpan(
      shape.name,
      { kind: shape.kind, startTime: time(s.startedAt), links, attributes: { ...shape.attributes, ...clean({ 'gen_ai.agent.name': agent }) } },
      this.parentContext(s.traceId, s.parentId),
    );
    this.spans.set(s.spanId, span);
  }

  async onSpanEnd(s: AgentsSpan): Promise<void> {
    const span = this.spans.get(s.spanId);
    if (!span) return;
    this.spans.delete(s.spanId);
    const d = s.spanData;
    const attrs = { ...endAttributes(d), ...(this.pending.get(s.spanId) ?? {}) };
    this.pending.delete(s.spanId);
    span.setAttributes(attrs);
    if (LLM_TYPES.has(d.type)) {
      const model = attrs['gen_ai.response.model'] ?? attrs['gen_ai.request.model'] ?? str(d.model);
      if (model) span.updateName(`chat ${String(model)}`);
    }
    if (d.type === 'handoff' && str(d.to_agent)) {
      span.updateName(`handoff ${str(d.from_agent) ?? '?'} -> ${str(d.to_agent)}`);
      let byAgent = this.handoffLinks.get(s.traceId);
      if (!byAgent) this.handoffLinks.set(s.traceId, (byAgent = new Map()));
      byAgent.set(str(d.to_agent)!, { context: span.spanContext(), attributes: { 'agentpulse.link.type': 'handoff' } });
    }
    if (d.type === 'guardrail' && d.triggered === true) this.causes.set(s.traceId, 'guardrail_tripwire');
    let errorType: string | undefined;
    if (s.error) {
      const cause = s.error.message === 'Error in agent run' ? this.causes.get(s.traceId) : undefined;
      errorType = attrs['error.type'] ? String(attrs['error.type']) : (cause ?? adapterErrorType(Object.assign(new Error(s.error.message), s.error.data ?? {})));
      if (LLM_TYPES.has(d.type) && !this.causes.has(s.traceId)) this.causes.set(s.traceId, errorType);
      span.setAttribute('error.type', errorType);
      span.setStatus({ code: SpanStatusCode.ERROR, message: s.error.message });
    }
    this.agentOf.delete(s.spanId);
    span.end(time(s.endedAt));
    // The Agents SDK does not end a trace whose run threw: end the root with the top-level span.
    const root = s.parentId === null && s.error ? this.roots.get(s.traceId) : undefined;
    if (root) {
      root.setAttribute('error.type', errorType ?? 'Error');
      root.setStatus({ code: SpanStatusCode.ERROR, message: s.error!.message });
      void this.onTraceEnd({ traceId: s.traceId, name: '' });
    }
  }

  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}

  /** Lets provider adapters attach to the Agents SDK span that is current when they are called. */
  llmSpan(): LlmSpanTarget | undefined {
    const cur = this.agents.getCurrentSpan?.();
    if (!cur || !LLM_TYPES.has(cur.spanData?.type)) return undefined;
    const id = cur.spanId;
    return {
      setAttributes: (a) => {
        this.pending.set(id, { ...(this.pending.get(id) ?? {}), ...a });
        this.spans.get(id)?.setAttributes(a);
      },
    };
  }

  parent(): Context | undefined {
    const cur = this.agents.getCurrentSpan?.();
    if (!cur) return undefined;
    const span = this.spans.get(cur.spanId) ?? this.roots.get(cur.traceId);
    return span ? trace.setSpan(ROOT_CONTEXT, span) : undefined;
  }
}

const bridged = new WeakSet<object>();

/** Adds the bridge to one loaded copy of `@openai/agents-core` (what `@openai/agents` re-exports). */
export function instrumentOpenAIAgents(mod: unknown): boolean {
  const m = mod as AgentsModule;
  if (typeof m.addTraceProcessor !== 'function' || bridged.has(m.addTraceProcessor)) return false;
  bridged.add(m.addTraceProcessor);
  const bridge = new AgentsTraceBridge(m);
  m.addTraceProcessor(bridge);
  // `@openai/agents` replaces the processor list at import (setDefaultOpenAITracingExporter); keep the bridge in it.
  const provider = m.getGlobalTraceProvider?.();
  const setProcessors = provider?.setProcessors;
  if (provider && typeof setProcessors === 'function') {
    provider.setProcessors = (ps: unknown[]) => setProcessors.call(provider, [...ps.filter((p) => p !== bridge), bridge]);
  }
  addCallContextSource(bridge);
  return true;
}
