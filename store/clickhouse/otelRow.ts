import type { NormalizedSpan } from '../normalize.js';
import type { AttrValue, Attributes, SpanKindName, SpanRecord, StatusCodeName } from '../types.js';

/** What the exporter's pcommon Value.AsString() gives: text as is, numbers and booleans as text, lists/maps as JSON. */
export function attrString(v: AttrValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function attrMap(a: Attributes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(a)) out[k] = attrString(a[k]);
  return out;
}

/** Span kind and status as current exporter versions write them (ptrace Kind().String(), Code().String()). */
const KIND: Record<SpanKindName, string> = {
  unspecified: 'Unspecified', internal: 'Internal', server: 'Server', client: 'Client', producer: 'Producer', consumer: 'Consumer',
};
const STATUS: Record<StatusCodeName, string> = { UNSET: 'Unset', OK: 'Ok', ERROR: 'Error' };

/** One `otel_traces` row (JSONEachRow) for a span, exactly as the OpenTelemetry Collector's ClickHouse exporter fills it. */
export function otelTracesRow(s: SpanRecord): Record<string, unknown> {
  const service = s.resource['service.name'];
  return {
    Timestamp: s.startNs.toString(),
    TraceId: s.traceId,
    SpanId: s.spanId,
    ParentSpanId: s.parentSpanId ?? '',
    TraceState: '',
    SpanName: s.name,
    SpanKind: KIND[s.kind] ?? 'Unspecified',
    ServiceName: typeof service === 'string' ? service : service === undefined || service === null ? '' : attrString(service),
    ResourceAttributes: attrMap(s.resource),
    ScopeName: s.scopeName ?? '',
    ScopeVersion: s.scopeVersion ?? '',
    SpanAttributes: attrMap(s.attributes),
    Duration: (s.endNs >= s.startNs ? s.endNs - s.startNs : 0n).toString(),
    StatusCode: STATUS[s.statusCode] ?? 'Unset',
    StatusMessage: s.statusMessage ?? '',
    'Events.Timestamp': s.events.map((e) => e.timeNs.toString()),
    'Events.Name': s.events.map((e) => e.name),
    'Events.Attributes': s.events.map((e) => attrMap(e.attributes)),
    'Links.TraceId': s.links.map((l) => l.traceId),
    'Links.SpanId': s.links.map((l) => l.spanId),
    'Links.TraceState': s.links.map(() => ''),
    'Links.Attributes': s.links.map((l) => attrMap(l.attributes)),
  };
}

/**
 * The `ap_*` promoted columns of a span the agentpulse collector writes, as its normalizer
 * computed them (dialects included), in place of the columns' DEFAULT expressions (schema.ts).
 */
export function promotedValues(n: NormalizedSpan): Record<string, unknown> {
  return {
    ap_status_code: n.statusCode,
    ap_operation: n.operation,
    ap_agent_name: n.agentName,
    ap_provider: n.provider,
    ap_model: n.model,
    ap_tool_name: n.toolName,
    ap_task_id: n.taskId,
    ap_task_type: n.taskType,
    ap_team_id: n.teamId,
    ap_team_signature: n.teamSignature,
    ap_error_type: n.errorType,
    ap_input_tokens: n.inputTokens,
    ap_output_tokens: n.outputTokens,
    ap_cost_usd: n.costUsd,
    ap_context_size: n.contextSize,
    ap_queue_depth: n.queueDepth,
    ap_recovery_strategy: n.recoveryStrategy,
    ap_recovery_outcome: n.recoveryOutcome,
    ap_session_id: n.sessionId,
    ap_call_id: n.callId,
    ap_agent_path: n.agentPath,
  };
}
