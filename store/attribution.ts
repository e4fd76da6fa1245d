import type { DuckDBConnection } from '@duckdb/node-api';
import type { NormalizedSpan } from './normalize.js';
import type { RollupAccumulator } from './rollups.js';
import { extendPath } from './agentPath.js';
import { fillAttribution, readStoredSpans, type SpanPatch, type StoredSpan } from './storedSpans.js';

/** What a span inherits from its nearest ancestor that has it. */
const INHERITED = ['agentName', 'sessionId', 'taskId', 'teamId'] as const;
type Inherited = Pick<NormalizedSpan, (typeof INHERITED)[number] | 'agentPath'>;

const MAX_DEPTH = 64;
const MAX_ROUNDS = 16;
/** Orphans kept in memory at most, and for at most this long: a parent that never comes is forgotten. */
const MAX_ORPHANS = 500_000;
const ORPHAN_TTL_MS = 3_600_000;

/**
 * Stored spans still waiting for their parent, keyed by the parent's (trace id + span id): the
 * only spans a later batch may have to give attribution to. Keeping them in memory spares every
 * batch a probe of the store; `DuckDbStore` loads the last hour's at open. Bounded: past
 * `MAX_ORPHANS` (or for a store it could not load), `exhaustive` turns false and every batch probes.
 */
export class OrphanIndex {
  private readonly waiting = new Map<string, number>();
  exhaustive = true;

  add(parentKey: string, nowMs: number): void {
    if (this.waiting.size >= MAX_ORPHANS) {
      this.prune(nowMs);
      if (this.waiting.size >= MAX_ORPHANS) {
        this.exhaustive = false;
        return;
      }
    }
    this.waiting.set(parentKey, nowMs);
  }

  /** True when stored spans may be waiting for `key` (always, once the index stopped being exhaustive). */
  mayHaveChildren(key: string): boolean {
    return !this.exhaustive || this.waiting.has(key);
  }

  delete(key: string): void {
    this.waiting.delete(key);
  }

  get size(): number {
    return this.waiting.size;
  }

  private prune(nowMs: number): void {
    for (const [k, at] of this.waiting) if (nowMs - at > ORPHAN_TTL_MS) this.waiting.delete(k);
  }

  /** Loads the orphans of the last hour (parent not stored, attribution missing). */
  async load(conn: DuckDBConnection): Promise<void> {
    // Both sides bounded in time, so opening a large store reads its last hours only: a parent that
    // started more than 2 h ago is taken for missing, which costs a probe later, nothing else.
    const res = await conn.runAndReadAll(
      `WITH c AS (SELECT trace_id, parent_span_id FROM spans
         WHERE parent_span_id IS NOT NULL AND (agent_name IS NULL OR session_id IS NULL OR task_id IS NULL OR team_id IS NULL OR agent_path IS NULL)
           AND start_ns >= (epoch_ns(now()) - 3600000000000))
       SELECT DISTINCT c.trace_id, c.parent_span_id FROM c
       WHERE NOT EXISTS (SELECT 1 FROM spans p WHERE p.start_ns >= (epoch_ns(now()) - 7200000000000) AND p.trace_id = c.trace_id AND p.span_id = c.parent_span_id)
       LIMIT ${MAX_ORPHANS}`,
    );
    const now = Date.now();
    for (const [t, p] of res.getRows()) this.add(String(t) + String(p), now);
    if (res.getRows().length >= MAX_ORPHANS) this.exhaustive = false;
  }
}

const lacks = (s: Inherited): boolean => s.agentName === null || s.sessionId === null || s.taskId === null || s.teamId === null || s.agentPath === null;
const has = (s: Inherited): boolean => s.agentName !== null || s.sessionId !== null || s.taskId !== null || s.teamId !== null || s.agentPath !== null;

/**
 * What `target` takes from its parent `from`: each attribute it lacks, and its agent path once the
 * parent's is known — the parent's extended by `target`'s agent as stored before this fill (its
 * own, or one inherited inside a chain that arrived without its top; either extends alike).
 */
function fill(target: Inherited, from: Inherited): SpanPatch {
  const patch: SpanPatch = {};
  for (const k of INHERITED) {
    if (target[k] === null && from[k] !== null) patch[k] = from[k];
  }
  if (target.agentPath === null && from.agentPath !== null) patch.agentPath = extendPath(from.agentPath, target.agentName);
  return patch;
}

/**
 * Attribution across the trace: a span without agent, session, task or team takes them from its
 * nearest ancestor that has them, so a model call under an agent span counts for that agent. It
 * holds whatever order spans arrive in (batch processors export children before their parents):
 * 1. spans of this batch inherit from ancestors in the batch, else from their stored parent (stored
 *    spans already carry what their own ancestors gave them);
 * 2. stored spans that arrived before an ancestor of this batch inherit from it now, level by level
 *    down the stored subtree (bounded), withdrawn from and re-added to the rollups.
 * Runs inside the writer's transaction. Work is bounded: one probe per level, keyed on this batch.
 */
export async function inheritAttribution(conn: DuckDBConnection, rows: readonly NormalizedSpan[], acc: RollupAccumulator, orphans: OrphanIndex): Promise<void> {
  const byId = new Map<string, NormalizedSpan>();
  let needParents = false;
  for (const r of rows) {
    byId.set(r.traceId + r.spanId, r);
    // A root's path is its own agent; the others' wait for their parent's.
    if (r.parentSpanId === null) r.agentPath ??= extendPath('', r.agentName);
    else if (lacks(r)) needParents = true;
  }
  if (needParents) await fromAncestors(conn, rows, byId, orphans);
  await toStoredDescendants(conn, rows, acc, orphans);
}

async function fromAncestors(conn: DuckDBConnection, rows: readonly NormalizedSpan[], byId: Map<string, NormalizedSpan>, orphans: OrphanIndex): Promise<void> {
  // The nearest stored parent of each chain that leaves the batch.
  const outside = new Map<string, readonly [string, string]>();
  for (const r of rows) {
    if (r.parentSpanId === null || !lacks(r)) continue;
    let cur: NormalizedSpan = r;
    for (let d = 0; d < MAX_DEPTH && cur.parentSpanId !== null; d++) {
      const p = byId.get(cur.traceId + cur.parentSpanId);
      if (!p) {
        outside.set(cur.traceId + cur.parentSpanId, [cur.traceId, cur.parentSpanId]);
        break;
      }
      cur = p;
    }
  }
  const stored = new Map<string, StoredSpan>();
  if (outside.size > 0) {
    let lo = rows[0]!.startNs;
    for (const r of rows) if (r.startNs < lo) lo = r.startNs;
    // A parent starts no later than its children; a day back bounds the probe.
    for (const s of await readStoredSpans(conn, 's.start_ns BETWEEN $lo AND $hi', { lo: lo - 86_400_000_000_000n, hi: maxEnd(rows) }, {
      join: 's.trace_id = k.trace_id AND s.span_id = k.span_id',
      rows: [...outside.values()],
    })) {
      stored.set(s.traceId + s.spanId, s);
    }
  }
  const resolved = new Set<NormalizedSpan>();
  const resolve = (r: NormalizedSpan, depth: number): Inherited | null => {
    if (resolved.has(r) || !lacks(r) || r.parentSpanId === null || depth > MAX_DEPTH) return r;
    resolved.add(r);
    const key = r.traceId + r.parentSpanId;
    const p = byId.get(key);
    const from = p ? resolve(p, depth + 1) : (stored.get(key) ?? null);
    if (from) Object.assign(r, fill(r, from));
    return r;
  };
  for (const r of rows) resolve(r, 0);
  // Chains whose top parent is neither here nor stored wait for it: remembered as orphans.
  const now = Date.now();
  for (const key of outside.keys()) if (!stored.has(key)) orphans.add(key, now);
}

function maxEnd(rows: readonly NormalizedSpan[]): bigint {
  let hi = 0n;
  for (const r of rows) if (r.startNs + r.durationNs > hi) hi = r.startNs + r.durationNs;
  return hi;
}

async function toStoredDescendants(conn: DuckDBConnection, rows: readonly NormalizedSpan[], acc: RollupAccumulator, orphans: OrphanIndex): Promise<void> {
  let parents: (Inherited & { traceId: string; spanId: string })[] = rows.filter((r) => has(r) && orphans.mayHaveChildren(r.traceId + r.spanId));
  if (orphans.exhaustive) for (const p of parents) orphans.delete(p.traceId + p.spanId);
  if (parents.length === 0) return;
  let lo = rows[0]!.startNs;
  for (const p of rows) if (p.startNs < lo) lo = p.startNs;
  const hi = maxEnd(rows);
  const batchIds = new Set(rows.map((r) => r.traceId + r.spanId));
  for (let round = 0; round < MAX_ROUNDS && parents.length > 0; round++) {
    const byId = new Map(parents.map((p) => [p.traceId + p.spanId, p] as const));
    // Children start inside their parent: the batch's time range bounds the probe.
    const children = await readStoredSpans(
      conn,
      's.start_ns BETWEEN $lo AND $hi AND (s.agent_name IS NULL OR s.session_id IS NULL OR s.task_id IS NULL OR s.team_id IS NULL OR s.agent_path IS NULL)',
      { lo, hi },
      { join: 's.trace_id = k.trace_id AND s.parent_span_id = k.span_id', rows: parents.map((p) => [p.traceId, p.spanId] as const) },
    );
    const next: StoredSpan[] = [];
    const patches: { span: StoredSpan; patch: SpanPatch }[] = [];
    for (const c of children) {
      if (batchIds.has(c.traceId + c.spanId)) continue;
      const parent = byId.get(c.traceId + c.parentSpanId);
      if (!parent) continue;
      const patch = fill(c, parent);
      if (Object.keys(patch).length === 0) continue;
      if (patch.agentName !== undefined) {
        acc.add(c, -1);
        acc.add({ ...c, ...patch }, 1);
      }
      patches.push({ span: c, patch });
      Object.assign(c, patch);
      next.push(c);
    }
    await fillAttribution(conn, patches);
    parents = next;
  }
}
