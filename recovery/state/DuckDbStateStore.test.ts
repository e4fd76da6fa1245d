import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDbStore } from '../../store/DuckDbStore.js';
import { CircuitBreakerRegistry } from '../index.js';
import { DuckDbStateStore } from './DuckDbStateStore.js';

describe('DuckDbStateStore', () => {
  it('round-trips JSON values by key and deletes them', async () => {
    const store = await DuckDbStore.open(':memory:');
    const s = new DuckDbStateStore(store);
    expect(await s.get('breaker:coder')).toBeUndefined();
    await s.set('breaker:coder', { state: 'open', until: 123 });
    await s.set('breaker:coder', { state: 'half_open', until: 456 });
    expect(await s.get('breaker:coder')).toEqual({ state: 'half_open', until: 456 });
    await s.delete('breaker:coder');
    expect(await s.get('breaker:coder')).toBeUndefined();
    await store.close();
  });

  it('lets a restarted process remember an open breaker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-kv-'));
    const path = join(dir, 'kv.duckdb');
    try {
      let store = await DuckDbStore.open(path);
      const reg = new CircuitBreakerRegistry({ store: new DuckDbStateStore(store) });
      const breaker = await reg.get('coder');
      const boom = (): Promise<never> => Promise.reject(Object.assign(new Error('down'), { status: 500 }));
      for (let i = 0; i < 5; i++) await breaker.execute(boom).catch(() => undefined);
      expect(breaker.state).toBe('open');
      await breaker.flush?.();
      await store.close();
      store = await DuckDbStore.open(path);
      const again = await new CircuitBreakerRegistry({ store: new DuckDbStateStore(store) }).get('coder');
      expect(again.state).toBe('open');
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
