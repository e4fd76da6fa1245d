import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError } from '../errors/TimeoutError.js';
import { TimeoutPolicy } from './TimeoutPolicy.js';

describe('TimeoutPolicy', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('cooperative: aborts the signal and waits for the function to settle', async () => {
    const policy = new TimeoutPolicy({ ms: 1000 });
    let settledAt = 0;
    const p = policy.execute(
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () =>
            setTimeout(() => {
              settledAt = Date.now();
              reject(signal.reason);
            }, 50),
          ),
        ),
    );
    const assertion = expect(p).rejects.toBeInstanceOf(TimeoutError);
    const start = Date.now();
    await vi.advanceTimersByTimeAsync(1050);
    await assertion;
    expect(settledAt - start).toBe(1050);
  });

  it('aggressive: rejects at the deadline even if the function ignores the signal', async () => {
    const policy = new TimeoutPolicy({ ms: 1000, mode: 'aggressive' });
    const p = policy.execute(() => new Promise(() => undefined));
    const assertion = expect(p).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
  });

  it('passes through results and non-timeout errors unchanged', async () => {
    const policy = new TimeoutPolicy({ ms: 1000 });
    await expect(policy.execute(async () => 42)).resolves.toBe(42);
    await expect(policy.execute(async () => Promise.reject(new RangeError('no')))).rejects.toBeInstanceOf(RangeError);
  });

  it('does not turn a caller abort into a timeout', async () => {
    const policy = new TimeoutPolicy({ ms: 1000 });
    const ctrl = new AbortController();
    const p = policy.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled by user')))), { signal: ctrl.signal });
    ctrl.abort();
    await expect(p).rejects.toThrow('cancelled by user');
  });
});
