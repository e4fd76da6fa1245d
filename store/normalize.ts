import { amount, count, num, str } from './attrValue.js';
import { detectDialect, promoteDialect, type Dialect } from './dialects.js';
import type { AttrValue, Attributes, SpanRecord } from './types.js';

/**
 * Semantic-convention attribute names promoted to columns. GenAI names first,
 * then the older spellings other SDKs still emit, so their spans are analysable too.
 */
export const ATTR = {
  operation: 'gen_ai.operation.name',
  operationFallback: 'agentpulse.operation',
  agentName: 'gen_ai.agent.name',
  workflowName: 'gen_ai.workflow.name',
  agentId: 'gen_ai.agent.id',
  provider: 'gen_ai.provider.name',
  providerLegacy: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  inputTokensLegacy: 'gen_ai.usage.prompt_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  outputTokensLegacy: 'gen_ai.usage.completion_tokens',
  toolName: 'gen_ai.tool.name',
  errorType: 'error.type',
  taskId: 'agentpulse.task.id',
  taskType: 'agentpulse.task.type',
  teamId: 'agentpulse.team.id',
  teamMembers: 'agentpulse.team.members',
  teamSignature: 'agentpulse.team.signature',
  contextSize: 'agentpulse.context.size',
  queueDepth: 'agentpulse.queue.depth',
  costUsd: 'agentpulse.cost.usd',
  recoveryStrategy: 'agentpulse.recovery.strategy',
  recoveryOutcome: 'agentpulse.recovery.outcome',
  serviceName: 'service.name',
  conversationId: 'gen_ai.conversation.id',
  sessionId: 'session.id',
  conversationIdLegacy: 'conversation.id',
  toolCallId: 'gen_ai.tool.call.id',
  toolCallIdUnderscore: 'gen_ai.tool.call_id',
  responseId: 'gen_ai.response.id',
} as const;

/** The promoted, typed view of one span: what the writer appends and the rollups aggregate. */
export interface NormalizedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  startNs: bigint;
  endNs: bigint;
  durationNs: bigint;
  statusCode: string;
  statusMessage: string | null;
  serviceName: string | null;
  scopeName: string | null;
  operation: string | null;
  agentName: string | null;
  provider: string | null;
  model: string | null;
  toolName: string | null;
  taskId: string | null;
  taskType: string | null;
  teamId: string | null;
  teamSignature: string | null;
  errorType: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  contextSize: number | null;
  queueDepth: number | null;
  recoveryStrategy: string | null;
  recoveryOutcome: string | null;
  attributesJson: string;
  resourceJson: string;
  eventsJson: string;
  linksJson: string;
  /** The conversation (session) the span belongs to: `gen_ai.conversation.id`, `session.id` or `conversation.id`. */
  sessionId: string | null;
  /** The model request or tool call the span is (request id, tool call id): joins a span with the agent event of the same work. */
  callId: string | null;
  /**
   * The agents from the trace root down to this span, ' > '-joined, each once per consecutive run
   * ('orchestrator > researcher'); '' when none. Set at ingest by attribution (store/agentPath.ts):
   * NULL until the span's chain reaches the root.
   */
  agentPath: string | null;
  /** The span dialect its columns were read from (store/dialects.ts); not a column. */
  dialect: Dialect;
}

/** Already sorted, unique, trimmed, non-empty strings (what our own API emits): join as is. */
function isCanonicalList(list: AttrValue[]): boolean {
  if (list.length === 0) return false;
  let prev = '';
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (typeof m !== 'string' || m.length === 0 || (i > 0 && !(m > prev))) return false;
    const c0 = m.charCodeAt(0);
    const cn = m.charCodeAt(m.length - 1);
    // Whitespace (trim) or a separator inside a name would change the split-and-trim result.
    if (c0 <= 32 || cn <= 32 || c0 === 0xa0 || cn === 0xa0 || c0 > 0x7f || cn > 0x7f) return false;
    prev = m;
  }
  return true;
}

/** Sorted member list joined with '+': the same team in any order has one signature. */
export function teamSignatureOf(members: AttrValue | undefined): string | null {
  if (members === undefined || members === null) return null;
  if (Array.isArray(members) && isCanonicalList(members)) return members.join('+');
  let list: string[];
  if (Array.isArray(members)) list = members.map((m) => String(m));
  else if (typeof members === 'string') list = members.split(/[,+]/);
  else return null;
  list = list.map((m) => m.trim()).filter((m) => m.length > 0);
  if (list.length === 0) return null;
  return [...new Set(list)].sort().join('+');
}

const bigintSafe = (_k: string, x: unknown): unknown => (typeof x === 'bigint' ? x.toString() : x);

/**
 * JSON text with bigint-safe output (ints beyond 2^53 arrive as strings already).
 * The replacer runs only when plain stringify meets a bigint: a replacer function makes
 * JSON.stringify several times slower, and bigints are not supposed to be here at all.
 */
function json(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return JSON.stringify(v, bigintSafe);
  }
}

function errorTypeOf(span: SpanRecord, a: Attributes): string | null {
  const explicit = str(a[ATTR.errorType]);
  if (explicit) return explicit;
  if (span.statusCode !== 'ERROR') return null;
  // Fall back to the recorded exception, then the spec's catch-all value.
  for (const e of span.events) {
    if (e.name === 'exception') {
      const t = str(e.attributes['exception.type']);
      if (t) return t;
    }
  }
  return '_OTHER';
}

/**
 * Integer columns are BIGINT: a value no double can hold exactly (beyond ±2^53, e.g. a bogus
 * context size of 1e20) is stored as NULL (the raw value stays in attributes_json) instead of
 * failing the append and, with it, every other span of the batch. Token counts go through
 * `count`, which refuses negative ones as well.
 */
function trunc(v: number | null): number | null {
  if (v === null) return null;
  const t = Math.trunc(v);
  return Number.isSafeInteger(t) ? t : null;
}

/** Largest time a BIGINT nanosecond column holds (2262-04-11); later (or negative) times are clamped. */
const MAX_NS = 0x7fff_ffff_ffff_ffffn;
const clampNs = (ns: bigint): bigint => (ns < 0n ? 0n : ns > MAX_NS ? MAX_NS : ns);

/**
 * Per-batch memo of the resource's JSON text and service name: spans of one batch share
 * a handful of resource objects, so each is serialised once instead of once per span.
 * Keyed by object identity, so it must not outlive a batch whose objects might be mutated.
 */
export class ResourceMemo {
  private last: Attributes | null = null;
  private lastJson = '{}';
  private lastService: string | null = null;
  private readonly seen = new Map<Attributes, [string, string | null]>();

  lookup(resource: Attributes): void {
    if (resource === this.last) return;
    let hit = this.seen.get(resource);
    if (!hit) {
      hit = [json(resource), str(resource[ATTR.serviceName])];
      if (this.seen.size < 64) this.seen.set(resource, hit);
    }
    this.last = resource;
    this.lastJson = hit[0];
    this.lastService = hit[1];
  }

  get json(): string {
    return this.lastJson;
  }

  get serviceName(): string | null {
    return this.lastService;
  }
}

/** Maps one span to its promoted columns. Pure; never throws on odd attribute types. */
export function normalizeSpan(span: SpanRecord): NormalizedSpan {
  return normalizeSpanWith(span, new ResourceMemo());
}

/**
 * The call id when `gen_ai.tool.call.id` is absent: a tool call's under Gemini CLI's near-miss
 * spelling, a model call's response id. Asked by operation, so a span pays one lookup at most.
 */
function callIdFallback(a: Attributes, op: string | null): string | null {
  if (op === 'execute_tool') return str(a[ATTR.toolCallIdUnderscore]);
  if (op === 'chat' || op === 'text_completion' || op === 'generate_content') return str(a[ATTR.responseId]);
  return null;
}

/** `gen_ai.operation.name`, with `invoke_workflow` folded into `invoke_agent` as the 2026 conventions do. */
function operationOf(a: Attributes, toolName: string | null): string | null {
  const op = str(a[ATTR.operation]);
  if (op !== null) return op === 'invoke_workflow' ? 'invoke_agent' : op;
  return str(a[ATTR.operationFallback]) ?? (toolName ? 'execute_tool' : null);
}

/**
 * {@link normalizeSpan} sharing one {@link ResourceMemo} across a batch. GenAI names are read
 * here; spans of other dialects (store/dialects.ts) fill what those leave null. Our own spans
 * (an agentpulse scope, an operation) skip the dialect step altogether.
 */
export function normalizeSpanWith(span: SpanRecord, memo: ResourceMemo): NormalizedSpan {
  const a = span.attributes;
  const toolName = str(a[ATTR.toolName]);
  const operation = operationOf(a, toolName);
  const startNs = clampNs(span.startNs);
  const endNs = clampNs(span.endNs);
  const duration = endNs >= startNs ? endNs - startNs : 0n;
  memo.lookup(span.resource);
  const dialect = detectDialect(span, memo.serviceName);
  const row: NormalizedSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    startNs,
    endNs,
    durationNs: duration,
    statusCode: span.statusCode,
    statusMessage: span.statusMessage,
    serviceName: memo.serviceName,
    scopeName: span.scopeName,
    operation,
    agentName: str(a[ATTR.agentName]) ?? str(a[ATTR.workflowName]),
    provider: str(a[ATTR.provider]) ?? str(a[ATTR.providerLegacy]),
    model: str(a[ATTR.requestModel]) ?? str(a[ATTR.responseModel]),
    toolName,
    taskId: str(a[ATTR.taskId]),
    taskType: str(a[ATTR.taskType]),
    teamId: str(a[ATTR.teamId]),
    teamSignature: str(a[ATTR.teamSignature]) ?? teamSignatureOf(a[ATTR.teamMembers]),
    errorType: errorTypeOf(span, a),
    inputTokens: count(a[ATTR.inputTokens]) ?? count(a[ATTR.inputTokensLegacy]),
    outputTokens: count(a[ATTR.outputTokens]) ?? count(a[ATTR.outputTokensLegacy]),
    costUsd: amount(a[ATTR.costUsd]),
    contextSize: trunc(num(a[ATTR.contextSize])),
    queueDepth: trunc(num(a[ATTR.queueDepth])),
    recoveryStrategy: str(a[ATTR.recoveryStrategy]),
    recoveryOutcome: str(a[ATTR.recoveryOutcome]),
    attributesJson: json(a),
    resourceJson: memo.json,
    eventsJson:
      span.events.length === 0
        ? '[]'
        : json(span.events.map((e) => ({ name: e.name, time_ns: e.timeNs.toString(), attributes: e.attributes }))),
    linksJson:
      span.links.length === 0
        ? '[]'
        : json(span.links.map((l) => ({ trace_id: l.traceId, span_id: l.spanId, attributes: l.attributes }))),
    sessionId: str(a[ATTR.conversationId]) ?? str(a[ATTR.sessionId]) ?? str(a[ATTR.conversationIdLegacy]),
    callId: str(a[ATTR.toolCallId]) ?? callIdFallback(a, operation),
    agentPath: null,
    dialect,
  };
  if (operation === null || (dialect !== 'agentpulse' && dialect !== 'genai')) {
    promoteDialect(dialect, span, row);
    row.callId ??= callIdFallback(a, row.operation);
  }
  return row;
}
