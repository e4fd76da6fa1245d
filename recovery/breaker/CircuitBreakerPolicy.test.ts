import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ATTR_RECOVERY_BREAKER_STATE, ATTR_RECOVERY_OUTCOME } from '../attributes.js';
import { BrokenCircuitError } from '../errors/BrokenCircuitError.js';
import { MemoryStateStore } from '../state/MemoryStateStore.js';
import { CircuitBreakerPolicy, type BreakerStateChange } from './CircuitBreakerPolicy.js';

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');
const fail = async (): Promise<never> => {
  throw Object.assign(new Error('upstream 500'), { status: 500 });
};
const ok = async () => 'ok';

async function failTimes(b: CircuitBreakerPolicy, n: number, gapMs = 0) {
  for (let i = 0; i < n; i++) {
    await expect(b.execute(fail)).rejects.toThrow('upstream 500');
    if (gapMs) vi.advanceTimersByTime(gapMs);
  }
}

describe('CircuitBreakerPolicy', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    exporter.reset();
  });
  afterEach(() => vi.useRealTimers());

  it('stays closed at 4 failures and opens at the 5th within 60 s (closed → open)', async () => {
    const b = new CircuitBreakerPolicy({ agent: 'a', tracer });
    await failTimes(b, 4, 10_000);
    expect(b.state).toBe('closed');
    await failTimes(b, 1);
    expect(b.state).toBe('open');
    const calls = vi.fn(ok);
    await expect(b.execute(calls)).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(calls).not.toHaveBeenCalled();
  });

  it('does not open when the 5 failures are spread over more than 60 s (sliding window)', async () => {
    const b = new CircuitBreakerPolicy({ agent: 'a', tracer });
    await failTimes(b, 1);
    vi.advanceTimersByTime(60_000); // the first failure slides out of the window
    await failTimes(b, 4);
    expect(b.state).toBe('closed');
    expect(b.recentFailures).toBe(4);
    await failTimes(b, 1);
    expect(b.state).toBe('open');
  });

  it('does not let successes reset the count (count, not streak)', async () => {
    const b = new CircuitBreakerPolicy({ agent: 'a', tracer });
    for (let i = 0; i < 5; i++) {
      await b.execute(ok);
      await failTimes(b, 1);
    }
    expect(b.state).toBe('open');
  });

  it('stays open for 30 s, then admits exactly one trial while rejecting concurrent callers (open → half_open)', async () => {
    const b = new CircuitBreakerPolicy({ agent: 'a', tracer });
    await failTimes(b, 5);
    vi.advanceTimersByTime(29_999);
    await expect(b.execute(ok)).rejects.toMatchObject({ state: 'open' });
    vi.advanceTimersByTime(1);
    expect(b.state).toBe('half_open');
    let release!: () => void;
    const trialFn = vi.fn(() => new Promise<string>((r) => (release = () => r('trial'))));
    const trial = b.execute(trialFn);
    const others = await Promise.allSettled([b.execute(ok), b.execute(ok), b.execute(ok)]);
    expect(others.every((o) => o.status === 'rejected' && o.reason instanceof BrokenCircuitError && o.reason.state === 'half_open')).toBe(true);
    expect(trialFn).toHaveBeenCalledTimes(1);
    release();
    await expect(trial).resolves.toBe('trial');
    expect(b.state).toBe('closed');
  });

  it('closes after a successful trial (half_open → closed) with a fresh window', async () => {
    const b = new CircuitBreakerPolicy({ agent: 'a', tracer });
    await failTimes(b, 5);
    vi.advanceTimersByTime(30_000);
    await b.execute(ok);
    expect(b.state).toBe('closed');
    expect(b.recentFailures).toBe(0);
    await failTimes(b, 4);
    expect(b.state).toBe('closed');
    const trial = exporter.getFinishedSpans().find((s) => s.attributes[ATTR_RECOVERY_OUTCOME] === 'recovered');
    expect(trial?.attributes[ATTR_RECOVERY_BREAKER_STATE]).toBe('closed');
  });

  it('re-opens for another 30 s after a failed trial (half_open → open)', async () => {
    const changes: BreakerStateChange[] = [];
    const b = new CircuitBreakerPolicy({ agent: 'a', tracer });
    b.onStateChange((c) => changes.push(c));
    await failTimes(b, 5);
    vi.advanceTimersByTime(30_000);
    await failTimes(b, 1);
    expect(b.state).toBe('open');
    vi.advanceTimersByTime(29_999);
    expect(b.state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(b.state).toBe('half_open');
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual(['closed->open', 'open->half_open', 'half_open->open']);
  });

  it('records every rejection as a span with outcome rejected and the breaker state', async () => {
    const b = new CircuitBreakerPolicy({ agent: 'coder', tracer });
    await failTimes(b, 5);
    await expect(b.execute(ok)).rejects.toThrow(BrokenCircuitError);
    const rejected = exporter.getFinishedSpans().filter((s) => s.attributes[ATTR_RECOVERY_OUTCOME] === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0].attributes).toMatchObject({
      'agentpulse.recovery.strategy': 'circuit_breaker',
      [ATTR_RECOVERY_BREAKER_STATE]: 'open',
      'gen_ai.agent.name': 'coder',
    });
  });

  it('ignores invalid_input failures (the caller is at fault, not the agent)', async () => {
    const b = new CircuitBreakerPolicy({ agent: 'a', tracer });
    for (let i = 0; i < 10; i++) await expect(b.execute(() => Promise.reject(Object.assign(new Error('bad'), { status: 400 })))).rejects.toThrow();
    expect(b.state).toBe('closed');
  });

  it('remembers an open breaker across a restart until the open period has passed', async () => {
    const store = new MemoryStateStore();
    const first = await CircuitBreakerPolicy.create({ agent: 'a', store, tracer });
    await failTimes(first, 5);
    await first.flush();
    vi.advanceTimersByTime(10_000);
    const restarted = await CircuitBreakerPolicy.create({ agent: 'a', store, tracer });
    expect(restarted.state).toBe('open');
    await expect(restarted.execute(ok)).rejects.toMatchObject({ state: 'open' });
    vi.advanceTimersByTime(20_000);
    expect(restarted.state).toBe('half_open');
    await expect(restarted.execute(ok)).resolves.toBe('ok');
    await restarted.flush();
    expect(await store.get('breaker:a')).toMatchObject({ state: 'closed' });
  });

  it('reports background persistence failures to onError instead of the caller', async () => {
    const onError = vi.fn();
    const store = { get: async () => undefined, set: async () => Promise.reject(new Error('disk full')), delete: async () => undefined };
    const b = await CircuitBreakerPolicy.create({ agent: 'a', store, onError, tracer });
    await failTimes(b, 5);
    await b.flush();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'disk full' }));
  });
});
