/**
 * What the demo fleet shows: nested agent teams (an orchestrator delegating to agents that
 * delegate in turn) and recoveries along every row of the recovery matrix (docs/recovery.md).
 */
import { describe, expect, it } from 'vitest';
import { fleetSpans } from './clickhouseHelpers.js';

describe('the demo fleet', async () => {
  const { spans } = await fleetSpans({ tasks: 1500, seed: 42, nowMs: Date.parse('2026-06-01T00:00:00Z') });
  const byId = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const parentOf = (s: (typeof spans)[number]) => (s.parentSpanId ? byId.get(`${s.traceId}/${s.parentSpanId}`) : undefined);

  it('recovers along every row of the recovery matrix, each class by its own strategies', () => {
    const rows = new Map<string, Set<string>>();
    for (const s of spans) {
      const cls = s.attributes['agentpulse.recovery.error_class'];
      if (typeof cls !== 'string') continue;
      const set = rows.get(cls) ?? new Set<string>();
      set.add(String(s.attributes['agentpulse.recovery.strategy']));
      rows.set(cls, set);
    }
    const sorted = Object.fromEntries([...rows].map(([k, v]) => [k, [...v].sort()]).sort());
    expect(sorted).toEqual({
      agent_failure: ['circuit_breaker', 'escalate'],
      capability_missing: ['decompose', 'equivalent_agent'],
      context_loss: ['checkpoint_restore', 'rebuild_context'],
      performance_degradation: ['reduce_scope', 'scale_resources'],
      rate_limit: ['fallback_agent', 'retry'],
      timeout: ['fallback_agent', 'retry'],
    });
    const outcomes = new Set(spans.map((s) => s.attributes['agentpulse.recovery.outcome']).filter(Boolean));
    expect([...outcomes].sort()).toEqual(['escalated', 'failed', 'recovered']);
  });

  it('nests agents three deep under an orchestrator, and keeps model costs on the model calls only', () => {
    const agentParent = (s: (typeof spans)[number]) => {
      for (let p = parentOf(s); p; p = parentOf(p)) if (p.attributes['gen_ai.operation.name'] === 'invoke_agent') return p;
      return undefined;
    };
    const chains = new Set<string>();
    for (const s of spans) {
      if (s.attributes['gen_ai.operation.name'] !== 'invoke_agent') continue;
      const names = [String(s.attributes['gen_ai.agent.name'])];
      for (let p = agentParent(s); p; p = agentParent(p)) names.unshift(String(p.attributes['gen_ai.agent.name']));
      chains.add(names.join(' > '));
    }
    expect(chains).toContain('orchestrator > coder > tester');
    expect(chains).toContain('orchestrator > researcher > summarizer');
    for (const s of spans) if (s.attributes['agentpulse.cost.usd'] !== undefined) expect(s.attributes['gen_ai.operation.name'], s.name).toBe('chat');
  });
});
