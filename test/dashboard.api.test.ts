import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../collector/startCollector.js';
import { createDashboard, type Dashboard } from '../dashboard/routes.js';
import { fillSynthetic } from './fixtures/synthetic.js';
import { resolveWindow, parseWindowQuery } from '../dashboard/window.js';
import { openStore, type DuckDbStore } from '../store/index.js';
import { makeSpan } from './spanFactory.js';

const END = Date.UTC(2026, 0, 15, 12, 0, 0);
let store: DuckDbStore;
let dash: Dashboard;
let collector: RunningCollector;

beforeAll(async () => {
  store = await openStore(':memory:');
  await fillSynthetic(store, { spans: 80_000, days: 2, endMs: END, seed: 3 });
  dash = createDashboard(store, { now: () => END + 30_000, live: { pollMs: 100 } });
  collector = await startCollector({ store, routes: dash.routes, port: 0 });
});

afterAll(async () => {
  dash.close();
  await collector.close();
  await store.close();
});

const get = async (path: string): Promise<any> => {
  const res = await fetch(collector.url + path);
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(JSON.stringify(body)), { status: res.status });
  return body;
};

describe('dashboardRoutes', () => {
  it('sums rollups to the raw span counts over a window', async () => {
    const s = await get('/api/summary?range=24h');
    const [raw] = await store.query('SELECT count(*) n, count(*) FILTER (WHERE status_code = \'ERROR\') e, sum(cost_usd) c FROM spans WHERE start_ns >= $f AND start_ns < $t', {
      f: BigInt(s.window.fromMs) * 1_000_000n,
      t: BigInt(s.window.toMs) * 1_000_000n,
    });
    expect(s.totals.spans).toBe(raw!.n);
    expect(s.totals.errors).toBe(raw!.e);
    expect(s.totals.cost_usd).toBeCloseTo(Number(raw!.c), 6);
  });

  it('gives quantiles from the sketch within 1 % of exact nearest-rank quantiles', async () => {
    const a = await get('/api/agents?range=all');
    const exact = await store.query(
      `SELECT agent_name a, quantile_disc(duration_ns, 0.5) p50, quantile_disc(duration_ns, 0.95) p95, quantile_disc(duration_ns, 0.99) p99 FROM spans WHERE agent_name IS NOT NULL GROUP BY 1`,
    );
    expect(a.agents.length).toBe(exact.length);
    for (const e of exact) {
      const got = a.agents.find((x: any) => x.agent === e.a);
      for (const q of ['p50', 'p95', 'p99'] as const) expect(Math.abs(got[`${q}_ms`] - Number(e[q]) / 1e6) / (Number(e[q]) / 1e6)).toBeLessThanOrEqual(0.01);
    }
  });

  it('returns a gap-filled time series whose buckets add up to the window total', async () => {
    const [ts, s] = await Promise.all([get('/api/timeseries?range=24h&bucket=1h'), get('/api/summary?range=24h')]);
    // A window that is not hour-aligned touches 25 hourly buckets (partial ones at both ends).
    expect(ts.series.t.length).toBe(Math.ceil(ts.window.toMs / 3_600_000) - Math.floor(ts.window.fromMs / 3_600_000));
    expect(ts.series.spans.reduce((x: number, y: number) => x + y, 0)).toBe(s.totals.spans);
    expect(ts.series.p95_ms.every((v: number | null) => v === null || v > 0)).toBe(true);
    const one = await get('/api/timeseries?range=24h&bucket=1h&agent=coder');
    expect(one.series.spans.reduce((x: number, y: number) => x + y, 0)).toBeLessThan(s.totals.spans);
  });

  it('anchors a live window to the newest data when nothing is recent', () => {
    const w = resolveWindow(parseWindowQuery({ range: '1h' }), { firstMinuteMs: 0, lastMinuteMs: 3_600_000 * 10 }, 3_600_000 * 100);
    expect(w).toMatchObject({ toMs: 3_600_000 * 10 + 60_000, anchoredToData: true, bucketMs: 60_000 });
  });

  it('answers 400 for a bad range and 404 for an unknown trace', async () => {
    await expect(get('/api/summary?range=2y')).rejects.toMatchObject({ status: 400 });
    await expect(get('/api/traces/00000000000000000000000000000000')).rejects.toMatchObject({ status: 404 });
    await expect(get('/api/traces/not-hex')).rejects.toMatchObject({ status: 400 });
  });

  it('builds the heat map, team, cost and recovery panels from the same window', async () => {
    const [e, t, c, r] = await Promise.all(['errors', 'teams', 'costs', 'recovery'].map((p) => get(`/api/${p}?range=24h`)));
    const errSum = e.rows.reduce((x: number, y: any) => x + y.errors, 0);
    const s = await get('/api/summary?range=24h');
    expect(errSum).toBe(s.totals.errors);
    expect(t.teams.length).toBe(4);
    expect(c.by_agent.reduce((x: number, y: any) => x + y.cost_usd, 0)).toBeCloseTo(c.total_cost_usd, 6);
    expect(c.by_team.reduce((x: number, y: any) => x + y.cost_usd, 0)).toBeCloseTo(s.totals.cost_usd, 4);
    expect(r.strategies.map((x: any) => x.strategy).sort()).toEqual(['circuit_breaker', 'fallback_agent', 'retry']);
  });

  it('lists the traces behind a filter and returns one as a waterfall', async () => {
    const l = await get('/api/traces?range=24h&agent=researcher&error_type=timeout&limit=5');
    expect(l.traces.length).toBeGreaterThan(0);
    const t = await get(`/api/traces/${l.traces[0].trace_id}?at=${l.traces[0].start_ns}`);
    expect(t.span_count).toBe(8);
    expect(t.spans[0].depth).toBe(0);
    expect(t.spans.some((s: any) => s.agent === 'researcher' && s.error_type === 'timeout')).toBe(true);
    // Offsets never precede the trace start; children sit deeper than their parent.
    for (const s of t.spans) expect(s.offset_ms).toBeGreaterThanOrEqual(0);
  });

  it('filters traces by session and shows each trace\'s session, and the session of every span in the waterfall', async () => {
    const at = BigInt(END - 3_600_000) * 1_000_000n;
    const traceA = 'a'.repeat(31) + '1';
    const traceB = 'a'.repeat(31) + '2';
    const conv = (traceId: string, i: number, session: string) =>
      makeSpan({ traceId, startNs: at + BigInt(i) * 1_000_000n, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.conversation.id': session } });
    await store.writeBatch([conv(traceA, 0, 'sess-1'), conv(traceA, 1, 'sess-1'), conv(traceB, 2, 'sess-2')]);
    const l = await get('/api/traces?range=24h&session=sess-1');
    expect(l.traces.map((t: any) => [t.trace_id, t.session_id, t.matching_spans])).toEqual([[traceA, 'sess-1', 2]]);
    const t = await get(`/api/traces/${traceB}`);
    expect(t.spans.map((s: any) => s.session)).toEqual(['sess-2']);
  });

  it('shows empty patterns and alerts, then the newest report\'s forecasts as predictive alerts', async () => {
    expect((await get('/api/patterns')).patterns).toEqual([]);
    expect((await get('/api/alerts')).predictive).toEqual([]);
    const forecast = { metric: 'p95_ms', scope: { agent: 'coder' }, horizon: '1d', predicted: 900, threshold: 800, eta: '2026-01-16T00:00:00Z' };
    await store.query(`INSERT INTO analyzer_runs (id, finished_at, status, report) VALUES ('r1', now(), 'ok', $r)`, { r: JSON.stringify({ forecasts: [forecast] }) });
    await store.query(`INSERT INTO alert_state (fingerprint, rule, severity, state, scope, value, threshold, since) VALUES ('f1', 'error_rate', 'critical', 'firing', '{"agent":"researcher"}', 0.2, 0.1, now())`);
    const a = await get('/api/alerts');
    expect(a.predictive).toEqual([{ ...forecast, unit: 'ms' }]);
    expect(a.firing).toBe(1);
    expect(a.alerts[0].scope).toEqual({ agent: 'researcher' });
  });

  it('pushes fresh per-agent numbers over SSE when spans arrive', async () => {
    const ac = new AbortController();
    const res = await fetch(`${collector.url}/api/live`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const events: any[] = [];
    let buf = '';
    const next = async (): Promise<any> => {
      for (;;) {
        const i = buf.indexOf('\n\n');
        if (i >= 0) {
          const chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = chunk.split('\n').find((l) => l.startsWith('data: '));
          if (data) return JSON.parse(data.slice(6));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += new TextDecoder().decode(value);
      }
    };
    events.push(await next());
    const start = BigInt(END) * 1_000_000n;
    await store.writeBatch(Array.from({ length: 30 }, (_, i) => makeSpan({ startNs: start + BigInt(i), endNs: start + BigInt(i) + 1_000_000n, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'latecomer' } })));
    events.push(await next());
    ac.abort();
    expect(events[1].partials).toBeGreaterThan(events[0].partials);
    expect(events[1].agents.find((a: any) => a.agent === 'latecomer')?.recent_spans).toBe(30);
  });
});
