import { describe, expect, it } from 'vitest';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BudgetExceededError } from '../errors/BudgetExceededError.js';
import { BudgetPolicy } from './BudgetPolicy.js';

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer('test') };
}

describe('BudgetPolicy', () => {
  it('runs calls and charges their cost until the budget is spent, then refuses with a rejected budget span', async () => {
    const { exporter, tracer } = tracing();
    const budget = new BudgetPolicy({ scope: 'agent:researcher', usd: 1, tracer });
    await expect(budget.execute(() => ({ answer: 1, costUsd: 0.6 }))).resolves.toMatchObject({ answer: 1 });
    await budget.execute(() => ({ answer: 2, cost_usd: 0.5 }));
    expect(budget.spent).toBeCloseTo(1.1, 12);
    expect(budget.remaining).toBe(0);
    expect(exporter.getFinishedSpans()).toHaveLength(0); // under budget nothing is a recovery
    let ran = false;
    await expect(budget.execute(() => (ran = true))).rejects.toBeInstanceOf(BudgetExceededError);
    expect(ran).toBe(false);
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({
      'agentpulse.recovery.strategy': 'budget', 'agentpulse.recovery.outcome': 'rejected', 'agentpulse.recovery.budget.scope': 'agent:researcher',
    });
  });

  it('falls back along the cheaper alternatives once spent: the first that succeeds serves the call, its cost charged', async () => {
    const { exporter, tracer } = tracing();
    const budget = new BudgetPolicy({ scope: 'session:s1', usd: 0.5, tracer, costOf: (r) => (r as { usd: number }).usd });
    budget.charge(0.5);
    const result = await budget.execute(async () => ({ model: 'big', usd: 1 }), {
      cheaper: [async () => { throw new Error('429 rate limited'); }, async () => ({ model: 'small', usd: 0.01 })],
    });
    expect(result).toEqual({ model: 'small', usd: 0.01 });
    expect(budget.spent).toBeCloseTo(0.51, 12);
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes['agentpulse.recovery.outcome']).toBe('recovered');
    expect(span!.events.map((e) => e.attributes?.['agentpulse.recovery.outcome'])).toEqual(['failed', 'recovered']);
    // Every alternative failing fails the call with the last error, outcome failed.
    await expect(budget.execute(() => 1, { cheaper: [() => { throw new Error('down'); }] })).rejects.toThrow('down');
    expect(exporter.getFinishedSpans()[1]!.attributes['agentpulse.recovery.outcome']).toBe('failed');
  });

  it('forgets spend older than its window', async () => {
    let now = 0;
    const budget = new BudgetPolicy({ scope: 'team:a+b', usd: 1, windowMs: 60_000, now: () => now });
    budget.charge(0.7);
    now = 30_000;
    budget.charge(0.4);
    await expect(budget.execute(() => 'x')).rejects.toBeInstanceOf(BudgetExceededError);
    now = 61_000; // the first charge left the window
    expect(budget.spent).toBeCloseTo(0.4, 12);
    await expect(budget.execute(() => 'y')).resolves.toBe('y');
    now = 200_000;
    expect(budget.spent).toBe(0);
  });

  it('refuses a budget that is not a positive amount, and ignores charges that are not', () => {
    expect(() => new BudgetPolicy({ scope: 'x', usd: 0 })).toThrow(RangeError);
    expect(() => new BudgetPolicy({ scope: 'x', usd: Number.NaN })).toThrow(RangeError);
    const b = new BudgetPolicy({ scope: 'x', usd: 1 });
    b.charge(-5);
    b.charge(Number.POSITIVE_INFINITY);
    expect(b.spent).toBe(0);
  });
});
