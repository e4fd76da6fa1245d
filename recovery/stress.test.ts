import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentCallContext, AgentTask, RecoverableAgent } from './agents/Agent.js';
import { RECOVERY_OUTCOMES, RECOVERY_STRATEGIES } from './attributes.js';
import { CapabilityMissingError } from './errors/CapabilityMissingError.js';
import { ContextLossError } from './errors/ContextLossError.js';
import { EscalatedError } from './errors/EscalatedError.js';
import { RecoverySelector } from './selector/RecoverySelector.js';
import { MemoryStateStore } from './state/MemoryStateStore.js';

/**
 * Fault-injection stress: 240 simulated agents run 3 tasks each, concurrently, through one
 * selector with the seed defaults (retry 1/2/4 s, breaker 5 in 60 s / 30 s open, 2 s timeout),
 * on fake timers so ~4 simulated minutes take a couple of seconds.
 */
const AGENTS = 240;
const TASKS_PER_AGENT = 3;
const WAVES = 3;

const PROFILES = ['healthy', 'transient_timeout', 'persistent_timeout', 'rate_limit', 'hard_failure', 'context_loss', 'slow', 'overloaded', 'capability_missing'] as const;
type Profile = (typeof PROFILES)[number];
const DOMAIN: Record<Profile, string> = {
  healthy: 'healthy',
  transient_timeout: 'search',
  persistent_timeout: 'search',
  rate_limit: 'llm',
  hard_failure: 'flaky',
  context_loss: 'memory',
  slow: 'heavy',
  overloaded: 'heavy',
  capability_missing: 'code',
};

const delay = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
const http = (status: number, extra: object = {}) => Object.assign(new Error(`HTTP ${status}`), { status }, extra);

function simulatedAgent(i: number, profile: Profile): RecoverableAgent {
  const serviceMs = 50 + (i % 7) * 25;
  const capability = profile === 'capability_missing' ? 'code' : profile === 'hard_failure' ? `legacy-${i}` : profile === 'transient_timeout' || profile === 'persistent_timeout' ? 'search' : `cap-${profile}`;
  return {
    name: `${profile}-${i}`,
    capabilities: [capability],
    domain: DOMAIN[profile],
    async invoke(task: AgentTask, ctx: AgentCallContext) {
      const first = ctx.attempt === 0;
      switch (profile) {
        case 'transient_timeout':
          await delay(first ? 10_000 : serviceMs, ctx.signal);
          break;
        case 'persistent_timeout':
          await delay(10_000, ctx.signal);
          break;
        case 'rate_limit':
          if (first) throw http(429, { headers: { 'retry-after': String(1 + (i % 3)) } });
          await delay(serviceMs, ctx.signal);
          break;
        case 'hard_failure':
          await delay(serviceMs, ctx.signal);
          throw http(500);
        case 'context_loss':
          if (first) {
            if (i % 2 === 0) await ctx.saveCheckpoint({ step: 2, task: task.id });
            throw new ContextLossError();
          }
          if (ctx.restoredContext === undefined) throw new Error('no context to resume from');
          await delay(serviceMs, ctx.signal);
          break;
        case 'slow':
          // Slower than the 2 s budget on the first call: a timeout caused by a slow agent.
          await delay(first ? 3_000 : serviceMs, ctx.signal);
          break;
        case 'overloaded':
          if (first) throw http(529, { error: { type: 'overloaded_error' } });
          await delay(serviceMs, ctx.signal);
          break;
        case 'capability_missing':
          throw new CapabilityMissingError(['python']);
        case 'healthy':
          await delay(serviceMs, ctx.signal);
      }
      return `${profile}-${i}:${String(task.id)}`;
    },
  };
}

const backups: RecoverableAgent[] = [
  { name: 'backup-search', capabilities: ['search'], domain: 'backup', invoke: async (t, ctx) => (await delay(100, ctx.signal), `backup:${String(t.id)}`) },
  { name: 'python-pro', capabilities: ['python'], domain: 'backup', invoke: async (t, ctx) => (await delay(100, ctx.signal), `python:${String(t.id)}`) },
];

interface CallRecord {
  profile: Profile;
  ok: boolean;
  escalated: boolean;
  latencyMs: number;
}

describe('RecoverySelector under fault injection', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('stress');
  beforeAll(() => vi.useFakeTimers());
  afterAll(() => vi.useRealTimers());

  it('recovers recoverable faults, isolates healthy domains, traces every recovery and keeps memory bounded', async () => {
    const heap: number[] = [];
    for (let wave = 0; wave < WAVES; wave++) {
      exporter.reset();
      const store = new MemoryStateStore();
      const escalations: string[] = [];
      const agents = Array.from({ length: AGENTS }, (_, i) => simulatedAgent(i, PROFILES[i % PROFILES.length]));
      const selector = new RecoverySelector({
        agents: [...agents, ...backups],
        store,
        tracer,
        timeoutMs: 2_000,
        fallbacks: Object.fromEntries(agents.filter((a) => a.capabilities[0] === 'search').map((a) => [a.name, ['backup-search']])),
        // Seed row plus a fallback before a human: an open breaker should reroute, not page.
        matrix: { agent_failure: ['circuit_breaker', 'fallback_agent', 'escalate'] },
        bulkheads: {
          defaultPool: { maxConcurrent: 64, maxQueue: 64 },
          pools: { flaky: { maxConcurrent: 4, maxQueue: 4 } },
          burst: { maxConcurrent: 8, maxQueue: 8 },
        },
        degradation: Object.fromEntries(agents.filter((a) => a.domain === 'heavy').map((a) => [a.name, { cachedAnswer: (t: AgentTask) => `cached:${String(t.id)}` }])),
        rebuildContext: async (a, t) => ({ rebuiltFor: `${a.name}/${String(t.id)}` }),
        onEscalate: (e) => void escalations.push(e.agent),
      });

      const records: CallRecord[] = [];
      const runs = agents.map(async (agent, i) => {
        const profile = PROFILES[i % PROFILES.length];
        for (let t = 0; t < TASKS_PER_AGENT; t++) {
          const start = Date.now();
          try {
            // capability_missing agents get tasks that need a skill they lack.
            const requires = profile === 'capability_missing' ? ['python'] : undefined;
            await selector.run(agent, { id: `w${wave}-a${i}-t${t}`, input: t, requires });
            records.push({ profile, ok: true, escalated: false, latencyMs: Date.now() - start });
          } catch (err) {
            records.push({ profile, ok: false, escalated: err instanceof EscalatedError, latencyMs: Date.now() - start });
          }
        }
      });
      const all = Promise.all(runs);
      await vi.runAllTimersAsync();
      await all;
      await selector.breakers.flush();

      // Recovery success on recoverable faults (everything but hard failures).
      const faulted = records.filter((r) => r.profile !== 'healthy' && r.profile !== 'hard_failure');
      const recovered = faulted.filter((r) => r.ok).length;
      const rate = recovered / faulted.length;
      // No cascade: the healthy domain never waits on, or fails with, anyone else.
      const healthy = records.filter((r) => r.profile === 'healthy');
      const hard = records.filter((r) => r.profile === 'hard_failure');

      // Every recovery is visible with correct attributes.
      const spans = exporter.getFinishedSpans();
      for (const s of spans) {
        expect(RECOVERY_STRATEGIES).toContain(s.attributes['agentpulse.recovery.strategy']);
        expect(RECOVERY_OUTCOMES).toContain(s.attributes['agentpulse.recovery.outcome']);
      }
      const episodes = spans.filter((s) => s.attributes['agentpulse.recovery.outcome'] !== 'rejected');
      for (const s of episodes) {
        expect(typeof s.attributes['gen_ai.agent.name']).toBe('string');
        expect(typeof s.attributes['agentpulse.recovery.error_class']).toBe('string');
        expect(typeof s.attributes['error.type']).toBe('string');
      }
      const byOutcome = (o: string) => spans.filter((s) => s.attributes['agentpulse.recovery.outcome'] === o).length;
      const recoveredCalls = records.filter((r) => r.ok && r.profile !== 'healthy').length;
      expect(byOutcome('recovered')).toBe(recoveredCalls);
      expect(byOutcome('escalated')).toBe(records.filter((r) => r.escalated).length);
      expect(escalations.length).toBe(byOutcome('escalated'));

      const byStrategy: Record<string, { attempts: number; recovered: number }> = {};
      for (const s of spans) {
        const outcome = String(s.attributes['agentpulse.recovery.outcome']);
        if (!['recovered', 'failed', 'escalated'].includes(outcome)) continue;
        const k = String(s.attributes['agentpulse.recovery.strategy']);
        byStrategy[k] ??= { attempts: 0, recovered: 0 };
        byStrategy[k].attempts++;
        if (outcome === 'recovered') byStrategy[k].recovered++;
      }

      expect(rate).toBeGreaterThanOrEqual(0.8);
      expect(healthy.every((r) => r.ok)).toBe(true);
      expect(Math.max(...healthy.map((r) => r.latencyMs))).toBeLessThanOrEqual(50 + 6 * 25);
      expect(hard.every((r) => !r.ok)).toBe(true);
      expect(Object.values(selector.bulkheads.loads()).every((l) => l === 0)).toBe(true);
      // Bounded state: one breaker per agent that failed + one checkpoint per faulted task at most.
      expect(store.size).toBeLessThanOrEqual(AGENTS + backups.length + AGENTS * TASKS_PER_AGENT);
      for (const agent of agents) expect(selector.breakers.peek(agent.name)?.recentFailures ?? 0).toBeLessThanOrEqual(5);

      if (process.env.STRESS_DEBUG) {
        const c: Record<string, number> = {};
        for (const s of spans) {
          const k = `${String(s.attributes['agentpulse.recovery.strategy'])}/${String(s.attributes['agentpulse.recovery.outcome'])}/${String(s.attributes['gen_ai.agent.name']).replace(/-\d+$/, '')}/${String(s.attributes['error.type'])}`;
          c[k] = (c[k] ?? 0) + 1;
        }
        console.log(c);
      }
      heap.push(process.memoryUsage().heapUsed);
      if (wave === 0) {
        console.log(
          JSON.stringify({
            agents: AGENTS,
            calls: records.length,
            recoverable_faults: faulted.length,
            recovered,
            recovery_rate: Number(rate.toFixed(4)),
            healthy_ok: healthy.filter((r) => r.ok).length,
            healthy_max_latency_ms: Math.max(...healthy.map((r) => r.latencyMs)),
            hard_failures: hard.length,
            escalated: byOutcome('escalated'),
            spans: spans.length,
            by_strategy: byStrategy,
            breakers_open: Object.values(selector.breakers.states()).filter((s) => s !== 'closed').length,
          }),
        );
      }
    }
    const growthMb = (heap[heap.length - 1] - heap[0]) / 2 ** 20;
    console.log(JSON.stringify({ heap_mb_per_wave: heap.map((h) => Math.round(h / 2 ** 20)), growth_mb: Number(growthMb.toFixed(1)) }));
    // Each wave drops its selector; heap must not grow wave over wave beyond noise.
    expect(growthMb).toBeLessThan(64);
  });
});
