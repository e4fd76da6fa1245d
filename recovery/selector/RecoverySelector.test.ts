import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentCallContext, AgentTask, RecoverableAgent } from '../agents/Agent.js';
import { CapabilityMissingError } from '../errors/CapabilityMissingError.js';
import { ContextLossError } from '../errors/ContextLossError.js';
import { EscalatedError } from '../errors/EscalatedError.js';
import { RecoverySelector, type RecoverySelectorOptions } from './RecoverySelector.js';

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');

type Behaviour = (task: AgentTask, ctx: AgentCallContext, call: number) => Promise<unknown>;
function agent(name: string, capabilities: string[], behaviour: Behaviour, domain?: string): RecoverableAgent & { calls: number } {
  const a = {
    name,
    capabilities,
    domain,
    calls: 0,
    invoke: (task: AgentTask, ctx: AgentCallContext) => behaviour(task, ctx, ++a.calls),
  };
  return a;
}
const answer = (v: unknown) => async () => v;
const hangUntilAbort: Behaviour = (_t, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
const http = (status: number, extra: object = {}) => Object.assign(new Error(`HTTP ${status}`), { status }, extra);

function episodes(): Array<Record<string, unknown>> {
  return exporter
    .getFinishedSpans()
    .filter((s: ReadableSpan) => s.attributes['agentpulse.recovery.outcome'] !== undefined)
    .map((s) => ({ strategy: s.attributes['agentpulse.recovery.strategy'], outcome: s.attributes['agentpulse.recovery.outcome'] }));
}

async function settle<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  await vi.runAllTimersAsync();
  return p;
}

const base: RecoverySelectorOptions = { tracer, timeoutMs: 5_000, retry: { random: () => 0.5 } };

describe('RecoverySelector', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    exporter.reset();
  });
  afterEach(() => vi.useRealTimers());

  it('does nothing extra when the call succeeds', async () => {
    const s = new RecoverySelector(base);
    await expect(s.run(agent('a', [], answer(1)), { input: 0 })).resolves.toBe(1);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('timeout → retry with backoff recovers a transient hang', async () => {
    const a = agent('a', ['search'], (t, ctx, n) => (n === 1 ? hangUntilAbort(t, ctx, n) : answer('found')()));
    const s = new RecoverySelector(base);
    await expect(settle(s.run(a, { input: 'q' }))).resolves.toBe('found');
    expect(episodes()).toEqual([{ strategy: 'retry', outcome: 'recovered' }]);
  });

  it('timeout → retry fails → alternative agent from the declared chain', async () => {
    const a = agent('a', ['search'], hangUntilAbort);
    const b = agent('b', ['search'], answer('from b'));
    const s = new RecoverySelector({ ...base, agents: [a, b], fallbacks: { a: ['b'] } });
    await expect(settle(s.run(a, { input: 'q' }))).resolves.toBe('from b');
    expect(a.calls).toBe(4);
    expect(episodes()).toEqual([
      { strategy: 'retry', outcome: 'failed' },
      { strategy: 'fallback_agent', outcome: 'recovered' },
    ]);
    const fb = exporter.getFinishedSpans().find((x) => x.attributes['agentpulse.recovery.strategy'] === 'fallback_agent');
    expect(fb?.attributes['agentpulse.recovery.target_agent']).toBe('b');
  });

  it('rate limit → retry honours Retry-After', async () => {
    const times: number[] = [];
    const a = agent('a', [], async (_t, _c, n) => {
      times.push(Date.now());
      if (n === 1) throw http(429, { headers: { 'retry-after': '9' } });
      return 'ok';
    });
    await expect(settle(new RecoverySelector(base).run(a, { input: 0 }))).resolves.toBe('ok');
    expect(times[1] - times[0]).toBe(9000);
  });

  it('capability missing → closest equivalent agent', async () => {
    const a = agent('a', ['code', 'python'], async () => Promise.reject(new CapabilityMissingError(['python'])));
    const generalist = agent('generalist', ['code', 'python', 'sql', 'web'], answer('generalist'));
    const specialist = agent('specialist', ['code', 'python'], answer('specialist'));
    const s = new RecoverySelector({ ...base, agents: [a, generalist, specialist] });
    await expect(settle(s.run(a, { input: 0 }))).resolves.toBe('specialist');
    expect(episodes()).toEqual([{ strategy: 'equivalent_agent', outcome: 'recovered' }]);
  });

  it('capability missing with no equivalent → decompose into subtasks for capable agents', async () => {
    const a = agent('a', ['sql', 'charts'], async () => Promise.reject(new CapabilityMissingError(['sql', 'charts'])));
    const sql = agent('sql', ['sql'], async (t) => `rows(${String(t.input)})`);
    const charts = agent('charts', ['charts'], async (t) => `chart(${String(t.input)})`);
    const s = new RecoverySelector({
      ...base,
      agents: [a, sql, charts],
      decompose: {
        split: (task) => [
          { input: `${String(task.input)}-data`, requires: ['sql'] },
          { input: `${String(task.input)}-plot`, requires: ['charts'] },
        ],
        combine: (results) => results.join('+'),
      },
    });
    await expect(settle(s.run(a, { input: 'report' }))).resolves.toBe('rows(report-data)+chart(report-plot)');
    expect(episodes()).toEqual([
      { strategy: 'equivalent_agent', outcome: 'rejected' },
      { strategy: 'decompose', outcome: 'recovered' },
    ]);
  });

  it('agent failure → circuit breaker re-invoke recovers a transient failure', async () => {
    const a = agent('a', [], async (_t, _c, n) => (n === 1 ? Promise.reject(http(500)) : 'ok'));
    await expect(settle(new RecoverySelector(base).run(a, { input: 0 }))).resolves.toBe('ok');
    expect(episodes()).toEqual([{ strategy: 'circuit_breaker', outcome: 'recovered' }]);
  });

  it('agent failure that persists → escalation callback and EscalatedError; an open breaker escalates without calling the agent', async () => {
    const onEscalate = vi.fn();
    const a = agent('a', [], async () => Promise.reject(http(500)));
    const s = new RecoverySelector({ ...base, onEscalate });
    for (let i = 0; i < 3; i++) await expect(settle(s.run(a, { input: i }))).rejects.toBeInstanceOf(EscalatedError);
    expect(onEscalate).toHaveBeenCalledTimes(3);
    expect(onEscalate.mock.calls[0][0]).toMatchObject({ agent: 'a', errorClass: 'agent_failure', tried: ['circuit_breaker', 'escalate'] });
    expect(a.calls).toBe(5); // 2 + 2 + the 5th failure opened the breaker
    const callsBefore = a.calls;
    await expect(settle(s.run(a, { input: 9 }))).rejects.toBeInstanceOf(EscalatedError);
    expect(a.calls).toBe(callsBefore);
    expect(episodes().slice(-3)).toEqual([
      { strategy: 'circuit_breaker', outcome: 'rejected' }, // the breaker policy refusing the call
      { strategy: 'circuit_breaker', outcome: 'rejected' }, // the strategy: circuit open, nothing to try
      { strategy: 'escalate', outcome: 'escalated' },
    ]);
  });

  it('a declared fallback comes before escalation, also once the primary\'s breaker is open', async () => {
    const onEscalate = vi.fn();
    const writer = agent('writer', ['write'], async () => Promise.reject(http(500)));
    const backup = agent('writer-backup', ['write'], async (t) => `backup:${String(t.input)}`);
    const s = new RecoverySelector({ ...base, agents: [writer, backup], fallbacks: { writer: ['writer-backup'] }, onEscalate });
    for (let i = 0; i < 20; i++) await expect(settle(s.run(writer, { input: i }))).resolves.toBe(`backup:${i}`);
    expect(s.breakers.peek('writer')?.state).toBe('open');
    expect(onEscalate).not.toHaveBeenCalled();
    expect(backup.calls).toBe(20);
    const outcomes = episodes();
    expect(outcomes.filter((e) => e.outcome === 'escalated')).toEqual([]);
    expect(outcomes.filter((e) => e.strategy === 'fallback_agent')).toEqual(Array.from({ length: 20 }, () => ({ strategy: 'fallback_agent', outcome: 'recovered' })));
    // With the breaker open the primary is not called: the breaker strategy is rejected, the fallback recovers.
    expect(outcomes.slice(-2)).toEqual([
      { strategy: 'circuit_breaker', outcome: 'rejected' },
      { strategy: 'fallback_agent', outcome: 'recovered' },
    ]);
    const last = exporter.getFinishedSpans().at(-1)!;
    expect(last.attributes['agentpulse.recovery.target_agent']).toBe('writer-backup');
  });

  it('escalates when the declared fallback fails too, naming both strategies tried', async () => {
    const onEscalate = vi.fn();
    const writer = agent('writer', ['write'], async () => Promise.reject(http(500)));
    const backup = agent('writer-backup', ['write'], async () => Promise.reject(http(500)));
    const s = new RecoverySelector({ ...base, agents: [writer, backup], fallbacks: { writer: ['writer-backup'] }, onEscalate });
    await expect(settle(s.run(writer, { input: 0 }))).rejects.toBeInstanceOf(EscalatedError);
    expect(onEscalate.mock.calls[0][0]).toMatchObject({ tried: ['circuit_breaker', 'fallback_agent', 'escalate'] });
    expect(episodes().slice(-2)).toEqual([
      { strategy: 'fallback_agent', outcome: 'failed' },
      { strategy: 'escalate', outcome: 'escalated' },
    ]);
  });

  it('context loss → restore the last checkpoint', async () => {
    const a = agent('a', [], async (_t, ctx, n) => {
      if (n === 1) {
        await ctx.saveCheckpoint({ step: 3 });
        throw new ContextLossError();
      }
      return `resumed at ${(ctx.restoredContext as { step: number }).step}`;
    });
    await expect(settle(new RecoverySelector(base).run(a, { id: 't1', input: 0 }))).resolves.toBe('resumed at 3');
    expect(episodes()).toEqual([{ strategy: 'checkpoint_restore', outcome: 'recovered' }]);
  });

  it('context loss without a checkpoint → rebuild context', async () => {
    const a = agent('a', [], async (_t, ctx, n) => (n === 1 ? Promise.reject(http(400, { code: 'context_length_exceeded' })) : ctx.restoredContext));
    const s = new RecoverySelector({ ...base, rebuildContext: async () => 'summary' });
    await expect(settle(s.run(a, { id: 't2', input: 0 }))).resolves.toBe('summary');
    expect(episodes()).toEqual([
      { strategy: 'checkpoint_restore', outcome: 'rejected' },
      { strategy: 'rebuild_context', outcome: 'recovered' },
    ]);
  });

  it('performance degradation → scale into the domain burst pool', async () => {
    const a = agent('a', [], async (_t, _c, n) => (n === 1 ? Promise.reject(http(529, { error: { type: 'overloaded_error' } })) : 'ok'));
    const s = new RecoverySelector({ ...base, bulkheads: { burst: { maxConcurrent: 2 } } });
    await expect(settle(s.run(a, { input: 0 }))).resolves.toBe('ok');
    expect(episodes()).toEqual([{ strategy: 'scale_resources', outcome: 'recovered' }]);
  });

  it('performance degradation without burst capacity → reduce scope, then cheaper model, then cache', async () => {
    const seen: string[] = [];
    const a = agent('a', [], async (_t, ctx) => {
      seen.push(`${ctx.scope}/${ctx.model ?? 'default'}`);
      if (ctx.model !== 'small') throw http(503);
      return 'small answer';
    });
    const s = new RecoverySelector({ ...base, degradation: { a: { reduceScope: (t) => t, cheaperModel: 'small' } } });
    await expect(settle(s.run(a, { input: 0 }))).resolves.toBe('small answer');
    expect(seen).toEqual(['full/default', 'reduced/default', 'full/small']);
    expect(episodes()).toEqual([
      { strategy: 'scale_resources', outcome: 'rejected' },
      { strategy: 'reduce_scope', outcome: 'recovered' },
    ]);
    expect(exporter.getFinishedSpans().at(-1)?.attributes['agentpulse.recovery.degradation']).toBe('cheaper_model');
  });

  it('invalid input is rethrown without recovery', async () => {
    const a = agent('a', [], async () => Promise.reject(http(422)));
    await expect(settle(new RecoverySelector(base).run(a, { input: 0 }))).rejects.toThrow('HTTP 422');
    expect(a.calls).toBe(1);
    expect(episodes()).toEqual([]);
  });

  it('uses a configured matrix row instead of the default', async () => {
    const a = agent('a', ['x'], async () => Promise.reject(http(500)));
    const b = agent('b', ['x'], answer('b'));
    const s = new RecoverySelector({ ...base, agents: [a, b], matrix: { agent_failure: ['equivalent_agent'] } });
    expect(s.strategiesFor('agent_failure')).toEqual(['equivalent_agent']);
    await expect(settle(s.run(a, { input: 0 }))).resolves.toBe('b');
  });
});
