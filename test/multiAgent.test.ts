import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace, SpanStatusCode, type Link, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { openStore, type DuckDbStore } from '../store/index.js';
import { startCollector, type RunningCollector } from '../collector/index.js';
import { analyze, RulesConfigSchema } from '../analyzer/index.js';

/**
 * Nested agent teams sent through the collector by the official OTel SDK: an orchestrator
 * delegating to agents that delegate (some through a tool span, some back to an agent above them),
 * several sessions, and a batch processor exporting in small batches, so children arrive before
 * their parents. The truth is kept while the spans are made; the report and the agent graph must
 * match it exactly.
 */

const AGENTS = ['orchestrator', 'researcher', 'searcher', 'writer', 'critic'];

interface Truth {
  self: Map<string, number>;
  subtree: Map<string, number>;
  calls: Map<string, number>;
  sessions: Map<string, number>;
  edges: Map<string, number>;
  total: number;
  currentSession: string;
}

const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** One agent invocation: model calls, then sub-agents (directly or through a tool span). */
function invoke(tracer: Tracer, agent: string, path: string[], depth: number, session: string | null, r: () => number, truth: Truth, parent: Span | null, links: Link[] = []): Span {
  const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
  const attrs: Record<string, string> = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agent };
  if (session) attrs['gen_ai.conversation.id'] = session; // only the root says the session: the rest inherit it
  const span = tracer.startSpan(`invoke_agent ${agent}`, { attributes: attrs, links }, ctx);
  add(truth.calls, agent, 1);
  if (path.length > 0) add(truth.edges, `${path[path.length - 1]}>${agent}`, 1);
  const here = [...path, agent];
  const inner = trace.setSpan(context.active(), span);
  for (let i = 0, n = 1 + Math.floor(r() * 3); i < n; i++) {
    const cost = Math.round(r() * 1e6) / 1e8;
    const chat = tracer.startSpan('chat gpt-x', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-x', 'agentpulse.cost.usd': cost } }, inner);
    chat.end();
    add(truth.self, agent, cost);
    for (const a of new Set(here)) add(truth.subtree, a, cost);
    truth.total += cost;
    add(truth.sessions, truth.currentSession, cost);
  }
  if (depth < 3) {
    for (let i = 0, n = Math.floor(r() * 3); i < n; i++) {
      // Never the agent itself (a self-call is not an edge of the graph); an agent above it may come back.
      const choices = AGENTS.filter((a) => a !== agent && a !== 'orchestrator');
      const callee = choices[Math.floor(r() * choices.length)]!;
      if (r() < 0.4) {
        const tool = tracer.startSpan('execute_tool Task', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Task' } }, inner);
        invoke(tracer, callee, here, depth + 1, null, r, truth, tool).end();
        tool.end();
      } else {
        const sub = invoke(tracer, callee, here, depth + 1, null, r, truth, span);
        if (r() < 0.2) sub.setStatus({ code: SpanStatusCode.ERROR });
        sub.end();
      }
    }
  }
  return span;
}

let dir: string;
let store: DuckDbStore;
let collector: RunningCollector;
const truth: Truth = { self: new Map(), subtree: new Map(), calls: new Map(), sessions: new Map(), edges: new Map(), total: 0, currentSession: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ap-multi-agent-'));
  store = await openStore(join(dir, 'agents.duckdb'));
  collector = await startCollector({ store, port: 0, spoolDir: join(dir, 'spool') });
  const exporter = new OTLPTraceExporter({ url: `${collector.url}/v1/traces`, concurrencyLimit: 10_000 });
  // Small batches, exported as spans end: children (which end first) reach the collector before their parents.
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'team-app' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 4, scheduledDelayMillis: 1 })],
  });
  const tracer = provider.getTracer('team-app');
  const r = rng(7);
  let previousRoot: Span | null = null;
  for (let s = 0; s < 4; s++) {
    const session = `session-${s}`;
    truth.currentSession = session;
    for (let t = 0; t < 3; t++) {
      const root = invoke(tracer, 'orchestrator', [], 0, session, r, truth, null);
      root.end();
      previousRoot = root;
    }
  }
  // A handoff: a new trace whose agent span links to the orchestrator run it took over from.
  truth.currentSession = 'handoff';
  const link: Link = { context: previousRoot!.spanContext() };
  const critic = tracer.startSpan('invoke_agent critic', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'critic', 'gen_ai.conversation.id': 'handoff' }, links: [link] });
  add(truth.calls, 'critic', 1);
  add(truth.edges, 'orchestrator>critic', 1);
  critic.end();
  await provider.forceFlush();
  await provider.shutdown();
  await collector.flush(10_000);
}, 60_000);

afterAll(async () => {
  await collector?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const r9 = (v: number): number => Math.round(v * 1e9) / 1e9;
const sorted = (m: Map<string, number>) => [...m].map(([k, v]) => [k, r9(v)] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe('multi-agent cost and graph (official OTel SDK, children before parents)', () => {
  it('gives every model call the agent path of its trace, also when it arrived before its ancestors', async () => {
    const [row] = await store.query(`SELECT count(*) AS n, count(*) FILTER (WHERE agent_path IS NULL) AS open, count(*) FILTER (WHERE session_id IS NULL) AS no_session FROM spans WHERE operation = 'chat'`);
    expect(Number(row!.n)).toBeGreaterThan(40);
    expect(Number(row!.open)).toBe(0);
    expect(Number(row!.no_session)).toBe(0);
  });

  it('reports self and subtree cost per agent, and cost per session, exactly equal to the sum of the model calls', async () => {
    const report = await analyze({ store, since: '1h', baseline: '2h', persist: false });
    const costs = report.costs!;
    expect(sorted(new Map(costs.by_agent.map((a) => [a.agent, a.self_usd])))).toEqual(sorted(new Map([...AGENTS.map((a) => [a, 0] as [string, number]), ...truth.self].filter(([a]) => truth.calls.has(a)))));
    expect(sorted(new Map(costs.by_agent.map((a) => [a.agent, a.subtree_usd])))).toEqual(sorted(new Map([...truth.calls.keys()].map((a) => [a, truth.subtree.get(a) ?? 0]))));
    expect(sorted(new Map(costs.by_agent.map((a) => [a.agent, a.calls])))).toEqual(sorted(truth.calls));
    expect(r9(costs.by_agent.find((a) => a.agent === 'orchestrator')!.subtree_usd)).toBe(r9(truth.total));
    expect(sorted(new Map(costs.by_session.map((x) => [x.session_id, x.usd])))).toEqual(sorted(new Map([...truth.sessions].filter(([, v]) => v > 0))));
  });

  it('counts every caller → callee edge exactly, handoff links included, and invents none', async () => {
    const rows = await store.named('agent_graph', { from_ms: null, to_ms: null });
    const got = new Map(rows.map((e) => [`${e.caller_agent}>${e.callee_agent}`, Number(e.calls)]));
    expect(sorted(got)).toEqual(sorted(truth.edges));
    for (const e of rows) {
      expect(Number(e.error_rate)).toBeGreaterThanOrEqual(0);
      expect(Number(e.p95_ms)).toBeGreaterThan(0);
    }
  });

  it('fires a budget alert for exactly the agents and sessions over budget, and says when the others run out', async () => {
    const selfs = [...truth.self.values()].sort((a, b) => a - b);
    const limit = (selfs[Math.floor(selfs.length / 2)]! + selfs[Math.floor(selfs.length / 2) - 1]!) / 2;
    const sessions = [...truth.sessions.values()].sort((a, b) => a - b);
    const sessionLimit = (sessions[0]! + sessions[1]!) / 2;
    const rules = RulesConfigSchema.parse({
      rules: [
        { name: 'agent_budget', kind: 'budget', scope: 'agent', usd: limit, window: '1h' },
        { name: 'session_budget', kind: 'budget', scope: 'session', usd: sessionLimit, window: '1h', severity: 'critical' },
      ],
    });
    const report = await analyze({ store, since: '1h', baseline: '2h', rules, persist: false });
    const firing = (rule: string) => report.alerts.filter((a) => a.rule === rule && a.state === 'firing').map((a) => Object.values(a.scope)[0]).sort();
    expect(firing('agent_budget')).toEqual([...truth.self].filter(([, v]) => v > limit).map(([a]) => a).sort());
    expect(firing('session_budget')).toEqual([...truth.sessions].filter(([, v]) => v > sessionLimit).map(([s]) => s).sort());
    expect(firing('agent_budget').length).toBeGreaterThan(0);
    const under = report.budgets!.filter((b) => b.rule === 'agent_budget' && !b.over);
    expect(under.length).toBeGreaterThan(0);
    for (const b of report.budgets!) {
      expect(b.burn_usd_per_hour).toBeGreaterThan(0);
      if (b.over) expect(b.runs_out_at).toBeNull();
      else if (b.runs_out_at !== null) expect(Date.parse(b.runs_out_at)).toBeGreaterThan(Date.now() - 60_000);
    }
  });
});
