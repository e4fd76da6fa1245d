import type { DuckDBConnection } from '@duckdb/node-api';
import type { NormalizedSpan } from './normalize.js';
import type { RollupAccumulator } from './rollups.js';
import { HOOK_SCOPE } from './hooks/hookEvent.js';
import { patchStored, readStoredSpans, type SpanPatch, type StoredSpan } from './storedSpans.js';

/** Scope name of spans the collector derives from agent events (see collector/events/). */
export const DERIVED_SCOPE = 'agentpulse.events';

const KV_NAMESPACE = 'reconcile';
const HAS_DERIVED = 'has_derived';
const TRACED_PREFIX = 'traced_service:';

/**
 * What `reconcileCalls` needs to know about the store without scanning it: whether it holds derived
 * spans, and which services sent trace spans of model or tool calls. Kept in `kv` (namespace
 * 'reconcile') as they first happen, inside the writing transaction, and read with one lookup at
 * open: a full scan of `spans` there would be paid by every writer's start. Spans stored before
 * schema version 3 have no call id, so they can match nothing and need no marker.
 */
export class CallState {
  hasDerived = false;
  readonly tracedServices = new Set<string | null>();

  async load(conn: DuckDBConnection): Promise<void> {
    const res = await conn.runAndReadAll('SELECT key FROM kv WHERE namespace = $ns', { ns: KV_NAMESPACE });
    for (const [k] of res.getRows()) {
      const key = String(k);
      if (key === HAS_DERIVED) this.hasDerived = true;
      else if (key.startsWith(TRACED_PREFIX)) this.tracedServices.add(JSON.parse(key.slice(TRACED_PREFIX.length)) as string | null);
    }
  }

  /** Records what the rows about to be appended add (inside the caller's transaction). */
  async note(conn: DuckDBConnection, rows: readonly NormalizedSpan[]): Promise<void> {
    const keys: string[] = [];
    for (const r of rows) {
      const rank = rankOf(r);
      // 'has_derived': spans a trace span would outrank (events', and hooks' model and tool calls).
      if (!this.hasDerived && (rank === 0 || (rank === 1 && enclosedOp(r)))) {
        this.hasDerived = true;
        keys.push(HAS_DERIVED);
      }
      if (rank > 0 && enclosedOp(r) && !this.tracedServices.has(r.serviceName)) {
        this.tracedServices.add(r.serviceName);
        keys.push(TRACED_PREFIX + JSON.stringify(r.serviceName));
      }
    }
    for (const key of keys) {
      await conn.run(`INSERT INTO kv (namespace, key, value, updated_at) VALUES ($ns, $key, 'true', current_timestamp) ON CONFLICT DO NOTHING`, { ns: KV_NAMESPACE, key });
    }
  }
}

/** How far apart in time an event and a trace span of the same call may be. */
const WINDOW_NS = 86_400_000_000_000n;

const RECONCILED_OPERATIONS = new Set(['chat', 'execute_tool']);

type Keyed = NormalizedSpan & { callId: string; operation: string };

const keyOf = (s: { operation: string | null; callId: string | null }): string => `${s.operation}\u0001${s.callId}`;
const isDerived = (s: { scopeName: string | null }): boolean => s.scopeName === DERIVED_SCOPE;

/**
 * Which description of a call is kept when several arrive: a trace span (2) over a hook span (1,
 * built from Claude Code's hook events: it knows the subagent exactly) over a span derived from an
 * OTel event (0). The kept one takes the others' cost and whatever it lacked.
 */
const rankOf = (s: { scopeName: string | null }): number => (s.scopeName === DERIVED_SCOPE ? 0 : s.scopeName === HOOK_SCOPE ? 1 : 2);

function keyed(s: NormalizedSpan): s is Keyed {
  return s.callId !== null && s.operation !== null && RECONCILED_OPERATIONS.has(s.operation);
}

/**
 * What the event adds to the trace span of the same call: its cost and agent always (traces carry
 * no cost, and name no subagent), its failure, and whatever else the trace span left empty.
 */
function eventPatch(trace: Pick<NormalizedSpan, keyof SpanPatch>, event: Pick<NormalizedSpan, keyof SpanPatch>): SpanPatch {
  const patch: SpanPatch = {};
  if (event.costUsd !== null && event.costUsd !== trace.costUsd) patch.costUsd = event.costUsd;
  // The event knows which (sub)agent made the call; a trace span only knows its tool's or inherited one.
  if (event.agentName !== null && event.agentName !== trace.agentName) patch.agentName = event.agentName;
  for (const k of ['sessionId', 'model', 'provider', 'inputTokens', 'outputTokens'] as const) {
    if (trace[k] === null && event[k] !== null) (patch as Record<string, unknown>)[k] = event[k];
  }
  // A failure the event reports (a tool that failed inside its trace span's child) fails the call.
  if (event.statusCode === 'ERROR' && trace.statusCode !== 'ERROR') {
    patch.statusCode = 'ERROR';
    patch.errorType = trace.errorType ?? event.errorType;
  }
  return patch;
}

/**
 * Never counts one model request or tool call twice. A coding agent can describe the same call up
 * to three times: a trace span (structure, timing), a hook span (Claude Code's hooks: exact
 * subagent, permission waits) and an event the collector turned into a span (cost, attribution).
 * They share a call id (request id, tool call id). The highest-ranked description is kept
 * ({@link rankOf}), with the others' cost and whatever it lacked; the others are dropped —
 * whichever arrives first, within this batch or across batches. A stored span that is rewritten or
 * deleted is withdrawn from the rollups (`acc.add(old, -1)`) so rollups keep equalling the rows.
 * Runs inside the writer's transaction; returns the rows still to append.
 * `state` says whether the store may hold lower-ranked spans (else the probe for them is skipped)
 * and which services sent higher-ranked spans of calls (a derived span of any other service has
 * nothing stored to fold into); the caller records the kept rows in it (`CallState.note`) before
 * appending them.
 */
export async function reconcileCalls(conn: DuckDBConnection, rows: NormalizedSpan[], acc: RollupAccumulator, state: CallState): Promise<NormalizedSpan[]> {
  const knownLower = state.hasDerived;
  const tracedServices = state.tracedServices;
  const groups = new Map<string, Keyed[]>();
  for (const r of rows) {
    if (!keyed(r)) continue;
    const g = groups.get(keyOf(r));
    if (g) g.push(r);
    else groups.set(keyOf(r), [r]);
  }
  const probeable = (r: Keyed): boolean => {
    const rank = rankOf(r);
    return (rank < 2 && tracedServices.has(r.serviceName)) || (rank > 0 && knownLower);
  };
  const nothingKeyed = ![...groups.values()].some((g) => g.length > 1 || probeable(g[0]!));
  const nothingEnclosed = !rows.some((r) => enclosedOp(r) && (isDerived(r) ? r.parentSpanId !== null : knownLower));
  if (nothingKeyed && nothingEnclosed) return rows;
  const dropped = new Set<NormalizedSpan>();
  // 1. Several descriptions in this batch: the highest-ranked takes the others' values (the lowest last, so an event's cost wins).
  const kept = new Map<string, Keyed>();
  for (const [k, g] of groups) {
    g.sort((a, b) => rankOf(b) - rankOf(a));
    const top = g[0]!;
    for (const other of g.slice(1)) {
      if (rankOf(other) === rankOf(top)) continue; // the same description again: dedup by span id handles it
      Object.assign(top, eventPatch(top, other));
      dropped.add(other);
    }
    kept.set(k, top);
  }
  // 2. Descriptions already stored: patch the higher-ranked one, drop or delete the other.
  const probe = [...kept.values()].filter(probeable);
  if (probe.length > 0) {
    for (const stored of await storedMatches(conn, probe)) {
      const row = kept.get(keyOf(stored));
      if (!row || dropped.has(row) || (stored.traceId === row.traceId && stored.spanId === row.spanId)) continue;
      const rs = rankOf(stored);
      const rr = rankOf(row);
      if (rs > rr) {
        await patchKeepingRollups(conn, acc, stored, eventPatch(stored, row));
        dropped.add(row);
      } else if (rs < rr) {
        Object.assign(row, eventPatch(row, stored));
        acc.add(stored, -1);
        await conn.run('DELETE FROM spans WHERE trace_id = $t AND span_id = $s AND start_ns = $st', { t: stored.traceId, s: stored.spanId, st: stored.startNs });
      }
    }
  }
  await reconcileEnclosed(conn, rows, acc, knownLower, dropped, tracedServices);
  return dropped.size === 0 ? rows : rows.filter((r) => !dropped.has(r));
}

/** Rewrites a stored span with `patch` (when it changes anything), moving it in the rollups too. */
async function patchKeepingRollups(conn: DuckDBConnection, acc: RollupAccumulator, stored: StoredSpan, patch: SpanPatch): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  acc.add(stored, -1);
  acc.add({ ...stored, ...patch }, 1);
  await patchStored(conn, stored, patch);
}

const enclosedOp = (s: { operation: string | null }): boolean => s.operation !== null && RECONCILED_OPERATIONS.has(s.operation);

/**
 * The second join: an event emitted inside a span (Gemini CLI logs its `api_response` inside its
 * `llm_call` span) derives a child of that span. A derived chat or tool span whose parent is a
 * trace span of the same operation describes the same call: folded into the parent as above.
 */
async function reconcileEnclosed(
  conn: DuckDBConnection,
  rows: NormalizedSpan[],
  acc: RollupAccumulator,
  knownDerived: boolean,
  dropped: Set<NormalizedSpan>,
  tracedServices: ReadonlySet<string | null>,
): Promise<void> {
  const children = new Map<string, NormalizedSpan>();
  const parents = new Map<string, NormalizedSpan>();
  for (const r of rows) {
    if (dropped.has(r) || !enclosedOp(r)) continue;
    if (isDerived(r)) {
      if (r.parentSpanId !== null) children.set(`${r.traceId}${r.parentSpanId}\u0001${r.operation}`, r);
    } else {
      parents.set(`${r.traceId}${r.spanId}\u0001${r.operation}`, r);
    }
  }
  if (children.size === 0 && (parents.size === 0 || !knownDerived)) return;
  for (const [k, ev] of children) {
    const tr = parents.get(k);
    if (!tr) continue;
    Object.assign(tr, eventPatch(tr, ev));
    dropped.add(ev);
    children.delete(k);
    parents.delete(k);
  }
  const probe = [...children.values()].filter((c) => tracedServices.has(c.serviceName));
  if (probe.length > 0) {
    const list = probe;
    const stored = await readStoredSpans(conn, 'NOT coalesce(s.scope_name = $scope, false)', { scope: DERIVED_SCOPE }, {
      join: 's.trace_id = k.trace_id AND s.span_id = k.span_id',
      rows: list.map((c) => [c.traceId, c.parentSpanId!] as const),
    });
    for (const tr of stored) {
      const k = `${tr.traceId}${tr.spanId}\u0001${tr.operation}`;
      const ev = children.get(k);
      if (!ev) continue;
      await patchKeepingRollups(conn, acc, tr, eventPatch(tr, ev));
      dropped.add(ev);
      children.delete(k);
    }
  }
  if (parents.size > 0 && knownDerived) {
    const list = [...parents.values()];
    const stored = await readStoredSpans(conn, 'coalesce(s.scope_name = $scope, false)', { scope: DERIVED_SCOPE }, {
      join: 's.trace_id = k.trace_id AND s.parent_span_id = k.span_id',
      rows: list.map((p) => [p.traceId, p.spanId] as const),
    });
    for (const ev of stored) {
      const tr = parents.get(`${ev.traceId}${ev.parentSpanId}\u0001${ev.operation}`);
      if (!tr) continue;
      Object.assign(tr, eventPatch(tr, ev));
      acc.add(ev, -1);
      await conn.run('DELETE FROM spans WHERE trace_id = $t AND span_id = $s AND start_ns = $st', { t: ev.traceId, s: ev.spanId, st: ev.startNs });
    }
  }
}

/** Stored spans with the same operation and call id as one of `spans` (any description), near them in time. */
async function storedMatches(conn: DuckDBConnection, spans: readonly Keyed[]): Promise<StoredSpan[]> {
  let lo = spans[0]!.startNs;
  let hi = lo;
  for (const s of spans) {
    if (s.startNs < lo) lo = s.startNs;
    if (s.startNs > hi) hi = s.startNs;
  }
  return readStoredSpans(
    conn,
    's.start_ns BETWEEN $lo AND $hi',
    { lo: lo - WINDOW_NS, hi: hi + WINDOW_NS },
    // The key table's two text columns carry (call id, operation) here.
    { join: 's.call_id = k.trace_id AND s.operation = k.span_id', rows: spans.map((s) => [s.callId, s.operation] as const) },
  );
}
