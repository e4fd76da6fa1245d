import type { DuckDbStore } from '../../store/DuckDbStore.js';
import type { StateStore } from './StateStore.js';

/**
 * StateStore over the trace store's `kv` table, so breaker states and checkpoints live
 * beside the spans (and the dashboard can show breaker state). Keys are namespaced by
 * their prefix (`breaker:…` → namespace 'breaker').
 * @example
 * const breakers = new CircuitBreakerRegistry({ store: new DuckDbStateStore(await openStore('agents.duckdb')) });
 */
export class DuckDbStateStore implements StateStore {
  constructor(private readonly store: DuckDbStore) {}

  private split(key: string): [string, string] {
    const i = key.indexOf(':');
    return i > 0 ? [key.slice(0, i), key.slice(i + 1)] : ['default', key];
  }

  async get(key: string): Promise<unknown | undefined> {
    const [ns, k] = this.split(key);
    const rows = await this.store.query('SELECT value FROM kv WHERE namespace = $ns AND key = $k', { ns, k });
    if (rows.length === 0) return undefined;
    return JSON.parse(String(rows[0].value));
  }

  async set(key: string, value: unknown): Promise<void> {
    const [ns, k] = this.split(key);
    await this.store.query(
      `INSERT INTO kv (namespace, key, value, updated_at) VALUES ($ns, $k, $v, current_timestamp)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      { ns, k, v: JSON.stringify(value) },
    );
  }

  async delete(key: string): Promise<void> {
    const [ns, k] = this.split(key);
    await this.store.query('DELETE FROM kv WHERE namespace = $ns AND key = $k', { ns, k });
  }
}
