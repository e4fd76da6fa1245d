import { describe, expect, it } from 'vitest';
import { BulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { BulkheadRegistry } from './BulkheadRegistry.js';
import { BulkheadPolicy } from './BulkheadPolicy.js';

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('BulkheadPolicy', () => {
  it('runs at most maxConcurrent calls, queues up to maxQueue and rejects the rest', async () => {
    const pool = new BulkheadPolicy({ domain: 'search', maxConcurrent: 2, maxQueue: 1 });
    const g = gate();
    let running = 0;
    let peak = 0;
    const work = async () => {
      running++;
      peak = Math.max(peak, running);
      await g.promise;
      running--;
      return 'done';
    };
    const calls = [pool.execute(work), pool.execute(work), pool.execute(work)];
    await expect(pool.execute(work)).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect(pool.executionSlots).toBe(0);
    expect(pool.queueSlots).toBe(0);
    g.open();
    await expect(Promise.all(calls)).resolves.toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(pool.load).toBe(0);
  });

  it('isolates domains: a saturated domain does not block another', async () => {
    const registry = new BulkheadRegistry({ pools: { flaky: { maxConcurrent: 1, maxQueue: 0 }, healthy: { maxConcurrent: 1, maxQueue: 0 } } });
    const stuck = gate();
    const hung = registry.pool('flaky').execute(() => stuck.promise);
    await expect(registry.pool('flaky').execute(async () => 1)).rejects.toMatchObject({ domain: 'flaky' });
    await expect(registry.pool('healthy').execute(async () => 'fine')).resolves.toBe('fine');
    expect(registry.loads()).toEqual({ flaky: 1, healthy: 0 });
    stuck.open();
    await hung;
  });

  it('passes the caller signal through', async () => {
    const pool = new BulkheadPolicy({ domain: 'd', maxConcurrent: 1 });
    const ctrl = new AbortController();
    await pool.execute(({ signal }) => expect(signal).toBe(ctrl.signal), { signal: ctrl.signal });
  });
});
