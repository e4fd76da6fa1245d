/**
 * The multi-agent views of the dashboard: the agent graph (who calls whom), sessions by cost, and
 * trace search's "slower than a percentile". Named queries do the work (agent_graph,
 * dashboard_sessions, dashboard_duration_quantile; each runs on ClickHouse too).
 */
import { HttpError } from '../http/HttpError.js';
import type { Row } from './readPool.js';
import type { TimeWindow } from './window.js';

type Query = URLSearchParams | Record<string, string | undefined>;

/** What these views need of the dashboard's API (DashboardApi): its window and its named queries. */
export interface DashboardApi {
  window(q: Query): Promise<TimeWindow>;
  run(name: string, params?: Record<string, unknown>): Promise<Row[]>;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const get = (q: Query, k: string): string | undefined => {
  const v = q instanceof URLSearchParams ? q.get(k) : q[k];
  return v === null || v === undefined || v === '' ? undefined : v;
};

export interface GraphNode {
  agent: string;
  /** Times it was called by another agent (0 for an agent only ever at the top). */
  calls_in: number;
  /** Calls it made to other agents. */
  calls_out: number;
  /** Share of its incoming calls that ended ERROR. */
  error_rate: number;
  /** Distance from an agent nobody calls (0), for a layered layout. */
  depth: number;
}

/** Agents as nodes and caller → callee edges with calls, p95 and error rate over the window (costs: the report's `costs`). */
export async function agentGraph(api: DashboardApi, q: Query) {
  const w = await api.window(q);
  // Without costs: the graph does not show them, and reading every model call's path is most of the query.
  const rows = await api.run('agent_graph', { from_ms: w.fromMs, to_ms: w.toMs, with_cost: false });
  const edges = rows.map((r) => ({ caller: String(r.caller_agent), callee: String(r.callee_agent), calls: num(r.calls), p95_ms: num(r.p95_ms), error_rate: num(r.error_rate) }));
  const nodes = new Map<string, GraphNode & { errors: number }>();
  const node = (a: string) => {
    let n = nodes.get(a);
    if (!n) nodes.set(a, (n = { agent: a, calls_in: 0, calls_out: 0, error_rate: 0, depth: 0, errors: 0 }));
    return n;
  };
  for (const e of edges) {
    node(e.caller).calls_out += e.calls;
    const c = node(e.callee);
    c.calls_in += e.calls;
    c.errors += e.error_rate * e.calls;
  }
  // Depth: longest chain of callers above (bounded, so a cycle a → b → a cannot loop).
  for (let pass = 0; pass < nodes.size; pass++) {
    let moved = false;
    for (const e of edges) {
      if (e.caller === e.callee) continue;
      const d = Math.min(node(e.caller).depth + 1, nodes.size);
      if (node(e.callee).depth < d) {
        node(e.callee).depth = d;
        moved = true;
      }
    }
    if (!moved) break;
  }
  const list = [...nodes.values()]
    .map(({ errors, ...n }) => ({ ...n, error_rate: n.calls_in > 0 ? errors / n.calls_in : 0 }))
    .sort((a, b) => a.depth - b.depth || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  return { window: w, nodes: list, edges };
}

/** Sessions over the window, most expensive first: cost, duration, agents, spans, errors. */
export async function sessions(api: DashboardApi, q: Query) {
  const w = await api.window(q);
  const limit = Math.min(500, Math.max(1, Number(get(q, 'limit') ?? 100) || 100));
  const rows = await api.run('dashboard_sessions', { from_ms: w.fromMs, to_ms: w.toMs, limit });
  return {
    window: w,
    sessions: rows.map((r) => ({
      session_id: String(r.session_id),
      cost_usd: num(r.usd),
      duration_ms: num(r.span_ms),
      agents: num(r.agents),
      model_requests: num(r.model_requests),
      errors: num(r.errors),
      start_ms: Number(BigInt(String(r.first_ns ?? 0)) / 1_000_000n),
    })),
  };
}

const PERCENTILES: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/**
 * Trace search's "slower than pNN": the window's nearest-rank percentile of span duration, over the
 * same agent / model / status filter, as a minimum duration in ms. Null when not asked.
 */
export async function slowerThan(api: DashboardApi, q: Query, w: { fromMs: number; toMs: number }): Promise<number | null> {
  const pct = get(q, 'slower_than');
  if (pct === undefined) return null;
  const p = PERCENTILES[pct.toLowerCase()];
  if (p === undefined) throw new HttpError(400, `slower_than must be one of ${Object.keys(PERCENTILES).join(', ')} (got ${JSON.stringify(pct.slice(0, 20))})`);
  const [r] = await api.run('dashboard_duration_quantile', { from_ms: w.fromMs, to_ms: w.toMs, p, agent: get(q, 'agent') ?? null, model: get(q, 'model') ?? null, status: get(q, 'status') ?? null });
  return r && num(r.spans) > 0 ? num(r.ms) : null;
}
