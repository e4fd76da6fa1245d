import { InMemorySpanExporter, BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ATTR_RECOVERY_ATTEMPT, ATTR_RECOVERY_OUTCOME, ATTR_RECOVERY_STRATEGY, EVENT_ATTEMPT } from '../attributes.js';
import { DEFAULT_BACKOFF, exponentialDelay } from './backoff.js';
import { RetryPolicy } from './RetryPolicy.js';

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');
const timeoutErr = () => Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });

/** Records the fake-clock time of each call. */
function failingTimes(failures: number, err: () => unknown = timeoutErr) {
  const times: number[] = [];
  const fn = async () => {
    times.push(Date.now());
    if (times.length <= failures) throw err();
    return 'ok';
  };
  return { fn, times };
}

describe('exponentialDelay', () => {
  it('stays within ±10 % of 1 s, 2 s, 4 s for the first three retries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, r) => {
        const base = [1000, 2000, 4000][retry - 1];
        const d = exponentialDelay(retry, DEFAULT_BACKOFF, () => r);
        expect(d).toBeGreaterThanOrEqual(base * 0.9);
        expect(d).toBeLessThan(base * 1.1 + 1e-9);
      }),
    );
  });
  it('caps the base delay at maxDelayMs', () => {
    expect(exponentialDelay(20, DEFAULT_BACKOFF, () => 0.5)).toBe(30_000);
  });
});

describe('RetryPolicy', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    exporter.reset();
  });
  afterEach(() => vi.useRealTimers());

  it('retries three times after the initial call, waiting 1 s, 2 s, 4 s without jitter', async () => {
    const retry = new RetryPolicy({ random: () => 0.5, tracer });
    const { fn, times } = failingTimes(3);
    const p = retry.execute(fn);
    await vi.runAllTimersAsync();
    await expect(p).resolves.toBe('ok');
    expect(times.map((t) => t - times[0])).toEqual([0, 1000, 3000, 7000]);
  });

  it('applies jitter at the ±10 % extremes', async () => {
    for (const [r, expected] of [
      [0, [0, 900, 2700, 6300]],
      [0.999999, [0, 1100, 3300, 7700]],
    ] as const) {
      const { fn, times } = failingTimes(3);
      const p = new RetryPolicy({ random: () => r, tracer }).execute(fn);
      await vi.runAllTimersAsync();
      await p;
      const gaps = times.map((t) => t - times[0]);
      gaps.forEach((g, i) => expect(g).toBeCloseTo(expected[i], -1));
    }
  });

  it('gives up after the last retry and rethrows the last error', async () => {
    const { fn, times } = failingTimes(10);
    const p = new RetryPolicy({ random: () => 0.5, tracer }).execute(fn);
    const assertion = expect(p).rejects.toThrow('timed out');
    await vi.runAllTimersAsync();
    await assertion;
    expect(times).toHaveLength(4);
    const [span] = exporter.getFinishedSpans();
    expect(span.attributes[ATTR_RECOVERY_OUTCOME]).toBe('failed');
    expect(span.attributes[ATTR_RECOVERY_ATTEMPT]).toBe(3);
    expect(span.events.filter((e) => e.name === EVENT_ATTEMPT)).toHaveLength(4);
  });

  it('does not retry non-retryable classes and emits no episode span', async () => {
    const { fn, times } = failingTimes(1, () => Object.assign(new Error('bad'), { status: 400 }));
    await expect(new RetryPolicy({ tracer }).execute(fn)).rejects.toThrow('bad');
    expect(times).toHaveLength(1);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('honours Retry-After in seconds, HTTP date and response headers instead of the backoff', async () => {
    const hints = [
      { retryAfter: 7 },
      { headers: { 'retry-after': new Date(Date.now() + 7000 + 7000).toUTCString() } },
      { response: { headers: new Headers({ 'retry-after': '3' }) } },
    ];
    let i = 0;
    const times: number[] = [];
    const fn = async () => {
      times.push(Date.now());
      if (i < hints.length) throw Object.assign(new Error('slow down'), { status: 429 }, hints[i++]);
      return 'ok';
    };
    const p = new RetryPolicy({ random: () => 0.5, tracer }).execute(fn);
    await vi.runAllTimersAsync();
    await expect(p).resolves.toBe('ok');
    const gaps = times.slice(1).map((t, k) => t - times[k]);
    expect(gaps[0]).toBe(7000);
    expect(gaps[1]).toBeGreaterThanOrEqual(6000); // HTTP dates have 1 s resolution
    expect(gaps[1]).toBeLessThanOrEqual(7000);
    expect(gaps[2]).toBe(3000);
  });

  it('gives up when Retry-After exceeds the cap', async () => {
    const fn = vi.fn(async () => {
      throw Object.assign(new Error('quota'), { status: 429, retryAfter: 3600 });
    });
    await expect(new RetryPolicy({ tracer }).execute(fn)).rejects.toThrow('quota');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('stops waiting as soon as the signal aborts during backoff', async () => {
    const ctrl = new AbortController();
    const { fn, times } = failingTimes(5);
    const start = Date.now();
    const p = new RetryPolicy({ tracer }).execute(fn, { signal: ctrl.signal });
    const assertion = expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await vi.advanceTimersByTimeAsync(100);
    ctrl.abort();
    await assertion;
    expect(times).toHaveLength(1);
    // Rejected at the abort (t = 100 ms), not after the 1 s backoff.
    expect(Date.now() - start).toBe(100);
    expect(exporter.getFinishedSpans()[0].attributes[ATTR_RECOVERY_OUTCOME]).toBe('failed');
  });

  it('records one span per episode with per-attempt events and the final outcome', async () => {
    const { fn } = failingTimes(2);
    const p = new RetryPolicy({ random: () => 0.5, tracer, agent: 'planner' }).execute(fn);
    await vi.runAllTimersAsync();
    await p;
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes).toMatchObject({
      [ATTR_RECOVERY_STRATEGY]: 'retry',
      [ATTR_RECOVERY_OUTCOME]: 'recovered',
      [ATTR_RECOVERY_ATTEMPT]: 2,
      'agentpulse.recovery.delay_ms': 3000,
      'agentpulse.recovery.error_class': 'timeout',
      'gen_ai.agent.name': 'planner',
      'error.type': 'ETIMEDOUT',
    });
    expect(spans[0].events.map((e) => e.attributes?.[ATTR_RECOVERY_OUTCOME])).toEqual(['failed', 'failed', 'recovered']);
  });

  it('emits no span when the first call succeeds', async () => {
    await new RetryPolicy({ tracer }).execute(async () => 1);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
