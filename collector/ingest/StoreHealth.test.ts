import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreHealth } from './StoreHealth.js';

afterEach(() => void vi.useRealTimers());

describe('StoreHealth', () => {
  it('pauses writes for the backoff after a failure, doubling it up to 30 s, and resets on success', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const h = new StoreHealth();
    expect(h.healthy).toBe(true);
    h.failed();
    expect(h.healthy).toBe(false);
    expect(h.retryAt).toBe(1_000_500);
    expect(h.backoffMs).toBe(1_000);
    for (let i = 0; i < 10; i++) h.failed();
    expect(h.backoffMs).toBe(30_000);
    expect(h.retryAt).toBe(1_030_000);
    h.succeeded();
    expect(h).toMatchObject({ healthy: true, retryAt: 0, backoffMs: 500 });
  });

  it('asks clients to retry no sooner than the backoff', () => {
    const h = new StoreHealth();
    expect(h.retryAfterSeconds(1)).toBe(1);
    for (let i = 0; i < 3; i++) h.failed(); // backoff 4 s
    expect(h.retryAfterSeconds(1)).toBe(4);
    expect(h.retryAfterSeconds(10)).toBe(10);
  });
});
