import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreakerRegistry } from '../breaker/CircuitBreakerRegistry.js';
import { FileStateStore } from '../state/FileStateStore.js';
import { TimeoutPolicy } from '../timeout/TimeoutPolicy.js';
import type { RecoveryPolicy } from './Policy.js';
import { wrap } from './wrap.js';

const tracing = (log: string[], name: string): RecoveryPolicy => ({
  async execute(fn, options) {
    log.push(`>${name}`);
    try {
      return await fn({ signal: options?.signal ?? new AbortController().signal });
    } finally {
      log.push(`<${name}`);
    }
  },
});

describe('wrap', () => {
  afterEach(() => vi.useRealTimers());

  it('runs policies outermost-first', async () => {
    const log: string[] = [];
    await expect(wrap(tracing(log, 'a'), tracing(log, 'b'), tracing(log, 'c')).execute(async () => (log.push('fn'), 7))).resolves.toBe(7);
    expect(log).toEqual(['>a', '>b', '>c', 'fn', '<c', '<b', '<a']);
  });

  it('hands an inner timeout signal to the innermost function', async () => {
    vi.useFakeTimers();
    let seen: AbortSignal | undefined;
    const p = wrap(tracing([], 'outer'), new TimeoutPolicy({ ms: 100 })).execute(
      ({ signal }) => ((seen = signal), new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))),
    );
    const assertion = expect(p).rejects.toMatchObject({ name: 'TimeoutError' });
    await vi.advanceTimersByTimeAsync(100);
    await assertion;
    expect(seen?.aborted).toBe(true);
  });
});

describe('CircuitBreakerRegistry', () => {
  let dir: string | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps an open breaker open across a process restart with a FileStateStore', async () => {
    vi.useFakeTimers();
    dir = await mkdtemp(join(tmpdir(), 'agentpulse-breaker-'));
    const path = join(dir, 'state.json');
    const before = new CircuitBreakerRegistry({ store: new FileStateStore(path) });
    const breaker = await before.get('writer');
    for (let i = 0; i < 5; i++) await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    await before.flush();
    expect(before.states()).toEqual({ writer: 'open' });

    const after = new CircuitBreakerRegistry({ store: new FileStateStore(path) });
    expect((await after.get('writer')).state).toBe('open');
    vi.advanceTimersByTime(30_000);
    expect((await after.get('writer')).state).toBe('half_open');
  });
});
