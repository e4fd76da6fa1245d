import { createHash } from 'node:crypto';
import type { LogRecordIn } from '../../store/signals.js';
import type { AttrValue, Attributes, SpanRecord } from '../../store/types.js';

import { DERIVED_SCOPE } from '../../store/reconcile.js';
import { sessionOf as sessionOfRecord } from '../../store/signalRows.js';

export { DERIVED_SCOPE };

/** A record that cannot be turned into a span: its reason is counted in `/metrics` and named in the partial-success message. */
export class EventRejection extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const MAX_DURATION_MS = 7 * 86_400_000;

export function text(v: AttrValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** A number sent as a number or (Claude Code before 2.1.122) as a string; null when absent. */
export function numberOf(v: AttrValue | undefined, what: string): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  if (!Number.isFinite(n)) throw new EventRejection(`${what} is not a number`);
  return n;
}

/** A token count: a whole number, not negative. */
export function tokens(v: AttrValue | undefined, what: string): number | null {
  const n = numberOf(v, what);
  if (n === null) return null;
  if (n < 0) throw new EventRejection(`${what} is negative`);
  return Math.round(n);
}

/** A cost in USD: finite, not negative. */
export function cost(v: AttrValue | undefined, what: string): number | null {
  const n = numberOf(v, what);
  if (n === null) return null;
  if (n < 0) throw new EventRejection(`${what} is negative`);
  return n;
}

/** A duration in ms: not negative, under a week. */
export function durationMs(v: AttrValue | undefined): number {
  const n = numberOf(v, 'duration_ms');
  if (n === null) return 0;
  if (n < 0) throw new EventRejection('duration_ms is negative');
  if (n > MAX_DURATION_MS) throw new EventRejection('duration_ms is more than 7 days');
  return n;
}

/** `success` as Claude Code and Codex send it: the string "true"/"false", or a boolean. */
export function succeeded(v: AttrValue | undefined): boolean {
  if (v === false || v === 0) return false;
  if (typeof v === 'string') return !['false', '0', 'no', 'failed', 'failure'].includes(v.trim().toLowerCase());
  return true;
}

function hash(bytes: number, parts: readonly string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, bytes * 2);
  // An all-zero id is invalid in OTLP; astronomically unlikely, but never produced.
  return /^0+$/.test(h) ? `${h.slice(0, -1)}1` : h;
}

/** The session of a record, by the names coding agents use (the same rule `log_records.session_id` is filled by). */
function sessionOf(log: LogRecordIn): string | null {
  return sessionOfRecord(log.attributes, log.resource);
}

export interface DerivedSpanSpec {
  name: string;
  operation: 'chat' | 'execute_tool' | 'invoke_agent';
  /** What makes the span unique within its session (request id, tool use id); null = the record itself. */
  identity: readonly string[] | null;
  durationMs: number;
  failed: boolean;
  errorType?: string | null;
  statusMessage?: string | null;
  /** GenAI / agentpulse attributes to add (the event's own attributes are kept beside them). */
  attributes: Record<string, AttrValue | undefined>;
}

/**
 * Builds the span an event describes. Ids are deterministic: the trace is the session's (a hash
 * of service and session, or the record's own trace when it was emitted inside a span, which then
 * becomes the parent), the span a hash of session and `identity` — a resent event derives the
 * same span, which the store then keeps once.
 */
export function deriveSpan(log: LogRecordIn, eventName: string, spec: DerivedSpanSpec): SpanRecord {
  const service = text(log.resource['service.name']) ?? '';
  const session = sessionOf(log);
  const identity = spec.identity ?? [eventName, String(log.timeNs), text(log.attributes['event.sequence']) ?? '', JSON.stringify(log.attributes)];
  const traceId = log.traceId ?? hash(16, ['session', service, session ?? '']);
  const spanId = hash(8, ['span', service, session ?? '', spec.operation, ...identity]);
  const endNs = log.timeNs;
  const dur = BigInt(Math.round(spec.durationMs * 1_000_000));
  const startNs = endNs > dur ? endNs - dur : endNs;
  const attributes: Attributes = { ...log.attributes };
  for (const [k, v] of Object.entries(spec.attributes)) if (v !== undefined && v !== null) attributes[k] = v;
  attributes['gen_ai.operation.name'] = spec.operation;
  attributes['agentpulse.derived.event'] = eventName;
  if (session !== null) attributes['gen_ai.conversation.id'] = session;
  if (spec.failed && spec.errorType) attributes['error.type'] = spec.errorType;
  return {
    traceId,
    spanId,
    parentSpanId: log.traceId !== null && log.spanId !== null && log.spanId !== spanId ? log.spanId : null,
    name: spec.name,
    kind: 'internal',
    startNs,
    endNs,
    statusCode: spec.failed ? 'ERROR' : 'UNSET',
    statusMessage: spec.failed ? (spec.statusMessage ?? null) : null,
    attributes,
    resource: log.resource,
    scopeName: DERIVED_SCOPE,
    scopeVersion: null,
    events: [],
    links: [],
  };
}

/** Token counts a model call reports, already checked (see `tokens`). */
export interface CallTokens {
  input?: number | null;
  output?: number | null;
  cacheRead?: number | null;
  cacheCreation?: number | null;
  reasoning?: number | null;
}

/** What a `chat` span derived from an agent event carries. */
export interface ChatCall {
  model: string | null;
  provider: string;
  identity: readonly string[] | null;
  durationMs: number;
  failed?: boolean;
  errorType?: string | null;
  statusMessage?: string | null;
  tokens?: CallTokens;
  /** Further GenAI / agentpulse attributes (cost, response id, agent). */
  attributes?: Record<string, AttrValue | undefined>;
}

/** A model call (success or failure) as a `chat` span, named `chat <model>`, its tokens under the GenAI names. */
export function chatSpan(log: LogRecordIn, eventName: string, c: ChatCall): SpanRecord {
  const t = c.tokens ?? {};
  return deriveSpan(log, eventName, {
    name: `chat ${c.model ?? ''}`.trim(),
    operation: 'chat',
    identity: c.identity,
    durationMs: c.durationMs,
    failed: c.failed ?? false,
    errorType: c.errorType,
    statusMessage: c.statusMessage,
    attributes: {
      'gen_ai.provider.name': c.provider,
      'gen_ai.request.model': c.model ?? undefined,
      'gen_ai.usage.input_tokens': t.input ?? undefined,
      'gen_ai.usage.output_tokens': t.output ?? undefined,
      'gen_ai.usage.cache_read.input_tokens': t.cacheRead ?? undefined,
      'gen_ai.usage.cache_creation.input_tokens': t.cacheCreation ?? undefined,
      'gen_ai.usage.reasoning.output_tokens': t.reasoning ?? undefined,
      ...c.attributes,
    },
  });
}

/** What an `execute_tool` span derived from an agent event carries. */
export interface ToolCall {
  tool: string | null;
  /** The tool call's id (Claude `tool_use_id`, Codex `call_id`), or null. */
  callId: string | null;
  durationMs: number;
  success: boolean;
  errorType: string;
  statusMessage?: string | null;
  attributes?: Record<string, AttrValue | undefined>;
}

/** A tool call as an `execute_tool` span, named `execute_tool <tool>`, keyed by its call id when it has one. */
export function toolSpan(log: LogRecordIn, eventName: string, c: ToolCall): SpanRecord {
  const tool = c.tool ?? 'unknown';
  return deriveSpan(log, eventName, {
    name: `execute_tool ${tool}`,
    operation: 'execute_tool',
    identity: c.callId ? ['tool', c.callId] : null,
    durationMs: c.durationMs,
    failed: !c.success,
    errorType: c.errorType,
    statusMessage: c.statusMessage,
    attributes: { 'gen_ai.tool.name': tool, 'gen_ai.tool.call.id': c.callId ?? undefined, ...c.attributes },
  });
}
