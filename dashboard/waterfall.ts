import type { Row } from './readPool.js';

export interface WaterfallSpan {
  span_id: string;
  parent_span_id: string | null;
  depth: number;
  name: string;
  operation: string | null;
  agent: string | null;
  model: string | null;
  tool: string | null;
  status: string;
  status_message: string | null;
  error_type: string | null;
  start_ns: string;
  /** Milliseconds from the trace start. */
  offset_ms: number;
  duration_ms: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  recovery_strategy: string | null;
  recovery_outcome: string | null;
  /** The conversation the span belongs to (`session_id`). */
  session: string | null;
  attributes: unknown;
  events: unknown;
}

export interface Waterfall {
  trace_id: string;
  start_ns: string;
  start_ms: number;
  duration_ms: number;
  span_count: number;
  error_count: number;
  spans: WaterfallSpan[];
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
function json(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * Orders a trace's spans depth-first (children by start time) with their depth and offset,
 * which is all a waterfall needs. Spans whose parent is missing (not yet arrived, or sampled
 * out) are treated as roots so nothing is hidden.
 */
export function buildWaterfall(traceId: string, rows: Row[]): Waterfall {
  const ids = new Set(rows.map((r) => String(r.span_id)));
  const children = new Map<string | null, Row[]>();
  for (const r of rows) {
    const p = str(r.parent_span_id);
    const key = p !== null && ids.has(p) ? p : null;
    const list = children.get(key) ?? [];
    list.push(r);
    children.set(key, list);
  }
  const startOf = (r: Row): bigint => BigInt(String(r.start_ns));
  for (const list of children.values()) list.sort((a, b) => (startOf(a) < startOf(b) ? -1 : startOf(a) > startOf(b) ? 1 : 0));
  let t0 = startOf(rows[0]!);
  let t1 = BigInt(String(rows[0]!.end_ns));
  for (const r of rows) {
    if (startOf(r) < t0) t0 = startOf(r);
    const e = BigInt(String(r.end_ns));
    if (e > t1) t1 = e;
  }
  const out: WaterfallSpan[] = [];
  const seen = new Set<string>();
  const visit = (r: Row, depth: number): void => {
    const id = String(r.span_id);
    if (seen.has(id)) return; // a parent cycle in bad data must not loop
    seen.add(id);
    out.push({
      span_id: id,
      parent_span_id: str(r.parent_span_id),
      depth,
      name: String(r.name),
      operation: str(r.operation),
      agent: str(r.agent_name),
      model: str(r.model),
      tool: str(r.tool_name),
      status: String(r.status_code),
      status_message: str(r.status_message),
      error_type: str(r.error_type),
      start_ns: String(r.start_ns),
      offset_ms: Number(startOf(r) - t0) / 1e6,
      duration_ms: Number(r.duration_ns) / 1e6,
      input_tokens: numOrNull(r.input_tokens),
      output_tokens: numOrNull(r.output_tokens),
      cost_usd: numOrNull(r.cost_usd),
      recovery_strategy: str(r.recovery_strategy),
      recovery_outcome: str(r.recovery_outcome),
      session: str(r.session_id),
      attributes: json(r.attributes),
      events: json(r.events),
    });
    for (const c of children.get(id) ?? []) visit(c, depth + 1);
  };
  for (const r of children.get(null) ?? []) visit(r, 0);
  for (const r of rows) if (!seen.has(String(r.span_id))) visit(r, 0);
  return {
    trace_id: traceId,
    start_ns: t0.toString(),
    start_ms: Number(t0 / 1_000_000n),
    duration_ms: Number(t1 - t0) / 1e6,
    span_count: out.length,
    error_count: out.filter((s) => s.status === 'ERROR').length,
    spans: out,
  };
}
