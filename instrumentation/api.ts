import { context, createContextKey, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { errorTypeOf } from './errorType.js';

const TRACER_NAME = 'agentpulse';
const SCOPE_KEY = createContextKey('agentpulse.scope');

/** Attributes that flow from a task/team/agent span to every span created inside it. */
interface InheritedScope {
  'agentpulse.task.id'?: string;
  'agentpulse.task.type'?: string;
  'agentpulse.team.id'?: string;
  'agentpulse.team.members'?: string[];
  'gen_ai.agent.name'?: string;
}

export interface AgentOptions {
  name: string;
  id?: string;
  description?: string;
  provider?: string;
  model?: string;
  contextSize?: number;
  queueDepth?: number;
  attributes?: Attributes;
}

export interface ToolOptions {
  name: string;
  callId?: string;
  type?: string;
  attributes?: Attributes;
}

export interface ChatOptions {
  provider: string;
  model: string;
  /** Defaults to 'chat'; other GenAI operations: 'text_completion', 'embeddings', 'generate_content'. */
  operation?: string;
  contextSize?: number;
  attributes?: Attributes;
}

export interface TaskOptions {
  type: string;
  id?: string;
  attributes?: Attributes;
}

export interface TeamOptions {
  members: string[];
  id?: string;
  attributes?: Attributes;
}

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  responseModel?: string;
  finishReason?: string;
}

function scopeOf(ctx: Context): InheritedScope {
  return (ctx.getValue(SCOPE_KEY) as InheritedScope | undefined) ?? {};
}

let taskSeq = 0;
function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(taskSeq++).toString(36)}`;
}

function clean(attrs: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) out[k] = v as Attributes[string];
  return out;
}

async function runInSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  scope: InheritedScope,
  fn: (span: Span) => T | Promise<T>,
): Promise<T> {
  const parent = context.active();
  const inherited = scopeOf(parent);
  const merged: InheritedScope = { ...inherited, ...scope };
  const tracer = trace.getTracer(TRACER_NAME);
  const span = tracer.startSpan(name, { kind, attributes: { ...(inherited as Attributes), ...attributes } }, parent);
  const ctx = trace.setSpan(parent, span).setValue(SCOPE_KEY, merged);
  try {
    const result = await context.with(ctx, () => fn(span));
    return result;
  } catch (err) {
    recordError(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks a span failed with `error.type`, status ERROR and an exception event. */
export function recordError(span: Span, err: unknown): void {
  span.setAttribute('error.type', errorTypeOf(err));
  span.recordException(err instanceof Error ? err : { name: 'Error', message: String(err) });
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** Records token usage and cost on an LLM (or agent) span. */
export function recordUsage(span: Span, usage: Usage): void {
  span.setAttributes(
    clean({
      'gen_ai.usage.input_tokens': usage.inputTokens,
      'gen_ai.usage.output_tokens': usage.outputTokens,
      'agentpulse.cost.usd': usage.costUsd,
      'gen_ai.response.model': usage.responseModel,
      'gen_ai.response.finish_reasons': usage.finishReason ? [usage.finishReason] : undefined,
    }),
  );
}

/**
 * Runs `fn` as an agent invocation (`invoke_agent` span). Spans created inside carry the agent name.
 * @example
 * await traceAgent('planner', async () => plan(task));
 */
export function traceAgent<T>(agent: string | AgentOptions, fn: (span: Span) => T | Promise<T>): Promise<T> {
  const a = typeof agent === 'string' ? { name: agent } : agent;
  return runInSpan(
    `invoke_agent ${a.name}`,
    SpanKind.INTERNAL,
    clean({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': a.name,
      'gen_ai.agent.id': a.id,
      'gen_ai.agent.description': a.description,
      'gen_ai.provider.name': a.provider,
      'gen_ai.request.model': a.model,
      'agentpulse.context.size': a.contextSize,
      'agentpulse.queue.depth': a.queueDepth,
      ...a.attributes,
    }),
    { 'gen_ai.agent.name': a.name },
    fn,
  );
}

/**
 * Runs `fn` as a tool execution (`execute_tool` span).
 * @example
 * const hits = await traceTool('web_search', () => search(q));
 */
export function traceTool<T>(tool: string | ToolOptions, fn: (span: Span) => T | Promise<T>): Promise<T> {
  const t = typeof tool === 'string' ? { name: tool } : tool;
  return runInSpan(
    `execute_tool ${t.name}`,
    SpanKind.INTERNAL,
    clean({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': t.name,
      'gen_ai.tool.call.id': t.callId,
      'gen_ai.tool.type': t.type,
      ...t.attributes,
    }),
    {},
    fn,
  );
}

/**
 * Runs `fn` as an LLM call (`chat {model}` client span); call `recordUsage(span, …)` inside.
 * @example
 * const reply = await traceChat({ provider: 'openai', model: 'gpt-4o' }, async (span) => {
 *   const r = await client.chat.completions.create(req);
 *   recordUsage(span, { inputTokens: r.usage.prompt_tokens, outputTokens: r.usage.completion_tokens });
 *   return r;
 * });
 */
export function traceChat<T>(opts: ChatOptions, fn: (span: Span) => T | Promise<T>): Promise<T> {
  const op = opts.operation ?? 'chat';
  return runInSpan(
    `${op} ${opts.model}`,
    SpanKind.CLIENT,
    clean({
      'gen_ai.operation.name': op,
      'gen_ai.provider.name': opts.provider,
      'gen_ai.request.model': opts.model,
      'agentpulse.context.size': opts.contextSize,
      ...opts.attributes,
    }),
    {},
    fn,
  );
}

/**
 * Runs `fn` as one task; every span inside carries the task id and type.
 * @example
 * await traceTask({ type: 'bugfix' }, () => runTeam(issue));
 */
export function traceTask<T>(task: TaskOptions, fn: (span: Span) => T | Promise<T>): Promise<T> {
  const id = task.id ?? newId('task');
  return runInSpan(
    `task ${task.type}`,
    SpanKind.INTERNAL,
    clean({ 'agentpulse.operation': 'task', 'agentpulse.task.id': id, 'agentpulse.task.type': task.type, ...task.attributes }),
    { 'agentpulse.task.id': id, 'agentpulse.task.type': task.type },
    fn,
  );
}

/**
 * Runs `fn` as a team working together; every span inside carries the team id and members,
 * so the analyzer can compare compositions (`team_signature` = sorted members).
 * @example
 * await traceTeam({ members: ['planner', 'coder', 'reviewer'] }, () => collaborate());
 */
export function traceTeam<T>(team: TeamOptions, fn: (span: Span) => T | Promise<T>): Promise<T> {
  const members = [...new Set(team.members)].sort();
  const id = team.id ?? newId('team');
  return runInSpan(
    `team ${members.join('+')}`,
    SpanKind.INTERNAL,
    clean({ 'agentpulse.operation': 'team', 'agentpulse.team.id': id, 'agentpulse.team.members': members, ...team.attributes }),
    { 'agentpulse.team.id': id, 'agentpulse.team.members': members },
    fn,
  );
}
