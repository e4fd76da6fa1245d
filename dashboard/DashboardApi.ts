import { sketchValue } from '../store/sketch.js';
import type { NamedReader, Row } from './readPool.js';
import { parseWindowQuery, resolveWindow, type DataExtent, type TimeWindow } from './window.js';
import { agentStatus, DEFAULT_STATUS_THRESHOLDS, statusWindow, type StatusThresholds } from './status.js';
import { alertMetric, metricUnit } from './alertUnits.js';
import { buildWaterfall, type Waterfall } from './waterfall.js';
import { slowerThan } from './multiAgentApi.js';
import { HttpError } from '../http/HttpError.js';

export type Query = URLSearchParams | Record<string, string | undefined>;

export interface DashboardApiOptions {
  /** Trailing part of the window that counts as "now" for agent status and rate (default 5 min). */
  recentMs?: number;
  thresholds?: StatusThresholds;
  /** How long a cached data extent stays fresh (default 1000 ms; the live feed refreshes it anyway). */
  extentTtlMs?: number;
  now?: () => number;
}

export interface Extent extends DataExtent {
  partials: number;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ms = (bucket: unknown): number | null => (bucket === null || bucket === undefined ? null : sketchValue(Number(bucket)) / 1e6);
const rate = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);
const get = (q: Query, k: string): string | undefined => {
  const v = q instanceof URLSearchParams ? q.get(k) : q[k];
  return v === null || v === undefined || v === '' ? undefined : v;
};

/**
 * The dashboard's read API: every panel's numbers, computed by named queries over the rollups
 * (only the trace list and trace waterfall read raw spans). Used by the HTTP routes and by the
 * `top`/`analytics` commands with `--db`, so the CLI and the browser always agree.
 */
export class DashboardApi {
  private extentCache: { at: number; value: Extent } | null = null;
  private readonly now: () => number;

  constructor(
    private readonly reader: NamedReader,
    private readonly options: DashboardApiOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Runs a named query with its parameters (unspecified ones bound to NULL). */
  run(name: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    return this.reader.named(name, params);
  }

  async extent(fresh = false): Promise<Extent> {
    const ttl = this.options.extentTtlMs ?? 1000;
    if (!fresh && this.extentCache && this.now() - this.extentCache.at < ttl) return this.extentCache.value;
    const [r] = await this.run('dashboard_extent');
    const value: Extent = {
      firstMinuteMs: r?.first_minute_ms == null ? null : num(r.first_minute_ms),
      lastMinuteMs: r?.last_minute_ms == null ? null : num(r.last_minute_ms),
      partials: num(r?.partials),
    };
    this.extentCache = { at: this.now(), value };
    return value;
  }

  async window(q: Query): Promise<TimeWindow> {
    return resolveWindow(parseWindowQuery(pick(q, ['range', 'from', 'to', 'bucket'])), await this.extent(), this.now());
  }

  private wparams(w: TimeWindow): { from_ms: number; to_ms: number } {
    return { from_ms: w.fromMs, to_ms: w.toMs };
  }

  /** Totals, overall latency quantiles and throughput over the window. */
  async summary(q: Query = {}) {
    const w = await this.window(q);
    const [[t], [lat], [alerts]] = await Promise.all([
      this.run('dashboard_totals', this.wparams(w)),
      this.run('dashboard_latency_total', this.wparams(w)),
      this.run('dashboard_alerts_firing'),
    ]);
    const spans = num(t?.spans);
    const errors = num(t?.errors);
    return {
      window: w,
      totals: {
        spans,
        errors,
        error_rate: rate(errors, spans),
        input_tokens: num(t?.input_tokens),
        output_tokens: num(t?.output_tokens),
        cost_usd: num(t?.cost_usd),
        agents: num(t?.agents),
        models: num(t?.models),
        throughput_per_min: spans / ((w.toMs - w.fromMs) / 60_000),
      },
      latency_ms: { p50: ms(lat?.p50_bucket), p95: ms(lat?.p95_bucket), p99: ms(lat?.p99_bucket) },
      alerts_firing: num(alerts?.firing),
      last_minute_ms: t?.last_minute_ms == null ? null : num(t.last_minute_ms),
    };
  }

  /**
   * Per-agent metrics over the window, plus what is true now: status, rate and recent errors come
   * from the minutes ending now (`statusWindow`), never from the selected range.
   */
  async agents(q: Query = {}) {
    const w = await this.window(q);
    const recentMs = this.options.recentMs ?? 300_000;
    const sw = statusWindow(this.now(), recentMs);
    // Breaker state is a "now" fact too: the newest state within the last day is enough, and
    // bounding the raw-span scan keeps a 7-day view as fast as a 1-day one.
    const sinceNs = BigInt(sw.toMs - 86_400_000) * 1_000_000n;
    const [rows, lat, breakers, nowRows] = await Promise.all([
      this.run('dashboard_agents', { ...this.wparams(w), recent_ms: recentMs }),
      this.run('dashboard_latency_by_agent', this.wparams(w)),
      this.run('dashboard_breakers', { since_ns: sinceNs.toString() }),
      this.run('dashboard_agents', { from_ms: sw.fromMs, to_ms: sw.toMs, recent_ms: recentMs }),
    ]);
    const latBy = new Map(lat.map((r) => [String(r.grp), r]));
    const brkBy = new Map(breakers.map((r) => [String(r.agent), r]));
    const nowBy = new Map(nowRows.map((r) => [String(r.agent), r]));
    const thresholds = this.options.thresholds ?? DEFAULT_STATUS_THRESHOLDS;
    const current = (agent: string, breaker: string | null) => {
      const n = nowBy.get(agent);
      const recentSpans = num(n?.recent_spans);
      const recentErrors = num(n?.recent_errors);
      const status = agentStatus({ spans: num(n?.spans), errors: num(n?.errors), recentSpans, recentErrors, breaker }, thresholds);
      return { status, rate_per_min: recentSpans / (recentMs / 60_000), recent_spans: recentSpans, recent_errors: recentErrors };
    };
    const agents = rows.map((r) => {
      const agent = String(r.agent);
      const l = latBy.get(agent);
      const b = brkBy.get(agent);
      const spans = num(r.spans);
      const errors = num(r.errors);
      const breaker = b ? String(b.state) : null;
      const c = current(agent, breaker);
      return {
        agent,
        status: c.status,
        spans,
        errors,
        error_rate: rate(errors, spans),
        rate_per_min: c.rate_per_min,
        recent_spans: c.recent_spans,
        recent_errors: c.recent_errors,
        p50_ms: ms(l?.p50_bucket),
        p95_ms: ms(l?.p95_bucket),
        p99_ms: ms(l?.p99_bucket),
        tokens: num(r.tokens),
        cost_usd: num(r.cost_usd),
        last_minute_ms: num(r.last_minute_ms),
        breaker,
        breaker_source: b ? String(b.source) : null,
      };
    });
    // Agents known only from a persisted breaker (nothing in the window) still show up.
    for (const [agent, b] of brkBy) {
      if (agents.some((a) => a.agent === agent)) continue;
      agents.push({
        agent, ...current(agent, String(b.state)),
        spans: 0, errors: 0, error_rate: 0, p50_ms: null, p95_ms: null, p99_ms: null,
        tokens: 0, cost_usd: 0, last_minute_ms: 0, breaker: String(b.state), breaker_source: String(b.source),
      });
    }
    return { window: w, recent_ms: recentMs, status_window: sw, agents };
  }

  /** Latency quantiles, throughput, error rate and cost per time bucket; gaps filled with zeros / nulls. */
  async timeseries(q: Query = {}) {
    const w = await this.window(q);
    const agent = get(q, 'agent') ?? null;
    const p = { ...this.wparams(w), bucket_ms: w.bucketMs, agent };
    const [counts, lat] = await Promise.all([this.run('dashboard_timeseries', p), this.run('dashboard_timeseries_latency', p)]);
    const byT = new Map(counts.map((r) => [num(r.t), r]));
    const latT = new Map(lat.map((r) => [num(r.grp), r]));
    const out = { t: [] as number[], spans: [] as number[], errors: [] as number[], error_rate: [] as (number | null)[], throughput_per_min: [] as number[], cost_usd: [] as number[], p50_ms: [] as (number | null)[], p95_ms: [] as (number | null)[], p99_ms: [] as (number | null)[] };
    const perMin = w.bucketMs / 60_000;
    for (let t = Math.floor(w.fromMs / w.bucketMs) * w.bucketMs; t < w.toMs; t += w.bucketMs) {
      const c = byT.get(t);
      const l = latT.get(t);
      const spans = num(c?.spans);
      const errors = num(c?.errors);
      out.t.push(t);
      out.spans.push(spans);
      out.errors.push(errors);
      out.error_rate.push(spans > 0 ? errors / spans : null);
      out.throughput_per_min.push(spans / perMin);
      out.cost_usd.push(num(c?.cost_usd));
      out.p50_ms.push(ms(l?.p50_bucket));
      out.p95_ms.push(ms(l?.p95_bucket));
      out.p99_ms.push(ms(l?.p99_bucket));
    }
    return { window: w, agent, series: out };
  }

  /** Error heat map cells: agent × error type × time bucket. */
  async errors(q: Query = {}) {
    const w = await this.window(q);
    const rows = await this.run('dashboard_errors', { ...this.wparams(w), bucket_ms: w.bucketMs });
    const totals = new Map<string, { agent: string; error_type: string; errors: number }>();
    const cells = rows.map((r) => {
      const c = { agent: String(r.agent), error_type: String(r.error_type), t: num(r.t), errors: num(r.errors) };
      const k = `${c.agent}\u0000${c.error_type}`;
      const tot = totals.get(k) ?? { agent: c.agent, error_type: c.error_type, errors: 0 };
      tot.errors += c.errors;
      totals.set(k, tot);
      return c;
    });
    return { window: w, rows: [...totals.values()].sort((a, b) => b.errors - a.errors), cells };
  }

  /** Team composition history: runs and failures per team signature per bucket, plus a table. */
  async teams(q: Query = {}) {
    const w = await this.window(q);
    const rows = await this.run('dashboard_teams', { ...this.wparams(w), bucket_ms: w.bucketMs });
    const by = new Map<string, { team: string; runs: number; failures: number; success_rate: number; avg_ms: number; first_ms: number; last_ms: number; _dur: number }>();
    for (const r of rows) {
      const team = String(r.team);
      const runs = num(r.runs);
      const t = by.get(team) ?? { team, runs: 0, failures: 0, success_rate: 0, avg_ms: 0, first_ms: num(r.t), last_ms: num(r.t), _dur: 0 };
      t.runs += runs;
      t.failures += num(r.failures);
      t._dur += num(r.avg_ms) * runs;
      t.first_ms = Math.min(t.first_ms, num(r.t));
      t.last_ms = Math.max(t.last_ms, num(r.t));
      by.set(team, t);
    }
    const teams = [...by.values()]
      .map(({ _dur, ...t }) => ({ ...t, success_rate: rate(t.runs - t.failures, t.runs), avg_ms: t.runs > 0 ? _dur / t.runs : 0 }))
      .sort((a, b) => b.runs - a.runs);
    const history = rows.map((r) => ({ team: String(r.team), t: num(r.t), runs: num(r.runs), failures: num(r.failures) }));
    return { window: w, teams, history };
  }

  /** Cost and tokens by agent and model (rollups) and by team and task type (raw spans in the window). */
  async costs(q: Query = {}) {
    const w = await this.window(q);
    const [dims, work] = await Promise.all([this.run('dashboard_costs', this.wparams(w)), this.run('dashboard_costs_work', this.wparams(w))]);
    const pickDim = (rows: Row[], dim: string) =>
      rows.filter((r) => r.dim === dim).map((r) => ({ key: r.key === null ? '(none)' : String(r.key), cost_usd: num(r.cost_usd), tokens: num(r.tokens), spans: num(r.spans) }));
    const byAgent = pickDim(dims, 'agent');
    return {
      window: w,
      total_cost_usd: byAgent.reduce((s, r) => s + r.cost_usd, 0),
      by_agent: byAgent,
      by_model: pickDim(dims, 'model'),
      by_team: pickDim(work, 'team'),
      by_task_type: pickDim(work, 'task_type'),
    };
  }

  /** Learned patterns (empty until the learning system has run). */
  async patterns() {
    const rows = await this.run('dashboard_patterns');
    return { patterns: rows };
  }

  /** Alert states (analyzer) and predictive alerts: forecasts from the newest analyzer report. */
  async alerts() {
    const [rows, report] = await Promise.all([this.run('dashboard_alerts'), this.run('dashboard_latest_report')]);
    const alerts: Row[] = rows.map((r) => {
      const scope = parseJson(r.scope);
      const metric = scope && typeof scope === 'object' ? alertMetric(String(r.fingerprint), String(r.rule), scope as Record<string, string | null>) : null;
      return { ...r, scope, metric, unit: metricUnit(metric) };
    });
    let predictive: unknown[] = [];
    let reportInfo: { id: string; finished_ms: number | null } | null = null;
    const r0 = report[0];
    if (r0) {
      reportInfo = { id: String(r0.id), finished_ms: r0.finished_ms == null ? null : num(r0.finished_ms) };
      const parsed = parseJson(r0.report) as { forecasts?: unknown[] } | null;
      predictive = Array.isArray(parsed?.forecasts)
        ? parsed.forecasts.map((f) => (f && typeof f === 'object' ? { ...f, unit: metricUnit(String((f as { metric?: unknown }).metric ?? '') || null) } : f))
        : [];
    }
    return { alerts, firing: alerts.filter((a) => a.state === 'firing').length, predictive, report: reportInfo };
  }

  /** Recovery attempts and success rate per strategy over the window. */
  async recovery(q: Query = {}) {
    const w = await this.window(q);
    const rows = await this.run('dashboard_recovery', this.wparams(w));
    const strategies = rows.map((r) => ({ strategy: String(r.strategy), attempts: num(r.attempts), recovered: num(r.recovered), escalated: num(r.escalated), success_rate: num(r.success_rate) }));
    const attempts = strategies.reduce((s, r) => s + r.attempts, 0);
    const recovered = strategies.reduce((s, r) => s + r.recovered, 0);
    return { window: w, strategies, totals: { attempts, recovered, success_rate: rate(recovered, attempts) } };
  }

  /**
   * Newest traces behind a panel, or found by trace search: filters agent, error_type, status, model,
   * team, task_type, strategy, session, min_ms, slower_than (p50|p90|p95|p99 of the window), q (text in span names).
   */
  async traces(q: Query = {}) {
    const w = await this.window(q);
    const filters: Record<string, string | null> = {};
    for (const k of ['agent', 'error_type', 'status', 'model', 'team', 'task_type', 'strategy', 'session', 'min_ms', 'q']) filters[k] = get(q, k) ?? null;
    if (filters.status !== null && !['ERROR', 'OK', 'UNSET'].includes(filters.status)) throw new HttpError(400, 'status must be ERROR, OK or UNSET');
    if (filters.min_ms !== null && !(Number(filters.min_ms) >= 0)) throw new HttpError(400, 'min_ms must be a number of milliseconds ≥ 0');
    if (filters.q !== null && filters.q.length > 200) throw new HttpError(400, 'q (text in span names) is limited to 200 characters');
    const slower = await slowerThan(this, q, w);
    if (slower !== null) filters.min_ms = String(Math.max(slower, Number(filters.min_ms ?? 0)));
    const limit = Math.min(500, Math.max(1, Number(get(q, 'limit') ?? 50) || 50));
    const rows = await this.run('dashboard_traces', { ...this.wparams(w), ...filters, limit });
    const traces = rows.map((r) => ({
      trace_id: String(r.trace_id),
      start_ns: String(r.start_ns),
      start_ms: Number(BigInt(String(r.start_ns)) / 1_000_000n),
      span_name: String(r.span_name),
      matching_spans: num(r.matching_spans),
      max_ms: num(r.max_ms),
      errors: num(r.errors),
      agents: Array.isArray(r.agents) ? (r.agents as unknown[]).map(String) : [],
      session_id: r.session_id === null || r.session_id === undefined ? null : String(r.session_id),
    }));
    return { window: w, filters, traces };
  }

  /** One trace as a waterfall (spans in tree order with depth and offsets), or null when unknown. */
  async trace(traceId: string, q: Query = {}): Promise<Waterfall | null> {
    const at = get(q, 'at');
    const atNs = at !== undefined && /^\d{1,20}$/.test(at) ? at : null;
    // lean=1: without attributes and events (a big trace opens faster; span=ID then gives one span whole).
    const p = { trace_id: traceId, lean: get(q, 'lean') === '1', span_id: get(q, 'span') ?? null };
    let rows = await this.run('dashboard_trace', { ...p, at_ns: atNs });
    // A wrong hint must not hide the trace: retry unbounded.
    if (rows.length === 0 && atNs !== null) rows = await this.run('dashboard_trace', { ...p, at_ns: null });
    return rows.length === 0 ? null : buildWaterfall(traceId, rows);
  }

  /** Per-agent numbers for the live panel: the last `recentMs` of data, plus the change token. */
  async live() {
    const e = await this.extent(true);
    const a = await this.agents({ range: '15m' });
    return {
      partials: e.partials,
      last_minute_ms: e.lastMinuteMs,
      window: a.window,
      agents: a.agents.map((x) => ({ agent: x.agent, status: x.status, rate_per_min: x.rate_per_min, recent_spans: x.recent_spans, recent_errors: x.recent_errors, spans: x.spans, errors: x.errors, p95_ms: x.p95_ms, breaker: x.breaker })),
    };
  }
}

function pick(q: Query, keys: string[]): Record<string, string | undefined> {
  const o: Record<string, string | undefined> = {};
  for (const k of keys) o[k] = get(q, k);
  return o;
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
