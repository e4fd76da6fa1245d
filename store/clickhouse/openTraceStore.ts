import { DuckDbStore } from '../DuckDbStore.js';
import type { TraceStore } from '../TraceStore.js';
import { ChdbExecutor } from './ChdbExecutor.js';
import { ClickHouseStore } from './ClickHouseStore.js';
import { DuckDbTraceStore } from './DuckDbTraceStore.js';
import { HttpExecutor } from './HttpExecutor.js';
import { isClickHouseSpec, redact, StoreSpecError } from './storeSpec.js';

export { isClickHouseSpec, redact, StoreSpecError };

/** A parsed `--store` / AGENTPULSE_STORE value. */
export type StoreSpec =
  | { kind: 'duckdb'; path: string }
  | { kind: 'clickhouse'; url: string; username?: string; password?: string; database: string; ttlDays?: number; migrate: boolean }
  | { kind: 'chdb'; path?: string; ttlDays?: number; migrate: boolean };

/**
 * Parses a store spec. `clickhouse://user:pass@host:8123/db?ttl_days=30&migrate=0` (HTTP; the
 * password may also come from CLICKHOUSE_PASSWORD), `clickhouses://` for HTTPS (default port 8443),
 * `chdb:///path` for embedded chDB, anything else is a DuckDB file path.
 */
export function parseStoreSpec(spec: string, env: NodeJS.ProcessEnv = process.env): StoreSpec {
  if (!isClickHouseSpec(spec)) return { kind: 'duckdb', path: spec.replace(/^duckdb:(\/\/)?/i, '') };
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new StoreSpecError(spec, 'not a URL');
  }
  const ttl = u.searchParams.get('ttl_days');
  const ttlDays = ttl === null ? undefined : Number(ttl);
  if (ttlDays !== undefined && !(Number.isInteger(ttlDays) && ttlDays >= 0)) throw new StoreSpecError(spec, 'ttl_days must be a whole number ≥ 0');
  const migrate = u.searchParams.get('migrate') !== '0';
  if (u.protocol === 'chdb:') {
    const path = decodeURIComponent(u.pathname || u.host);
    return { kind: 'chdb', path: path === '' || path === '/' ? undefined : path, ttlDays, migrate };
  }
  if (!u.hostname) throw new StoreSpecError(spec, 'no host');
  const secure = u.protocol === 'clickhouses:';
  const port = u.port || (secure ? '8443' : '8123');
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'default';
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new StoreSpecError(spec, 'the database name may hold letters, digits and _');
  return {
    kind: 'clickhouse',
    url: `${secure ? 'https' : 'http'}://${u.hostname}:${port}`,
    username: u.username ? decodeURIComponent(u.username) : env.CLICKHOUSE_USER,
    password: u.password ? decodeURIComponent(u.password) : env.CLICKHOUSE_PASSWORD,
    database,
    ttlDays,
    migrate,
  };
}

/**
 * Opens the TraceStore a spec names: ClickHouse over HTTP, embedded chDB, or the DuckDB file.
 * @example
 * const store = await openTraceStore(process.env.AGENTPULSE_STORE ?? 'agentpulse.duckdb');
 */
export async function openTraceStore(spec: string, options: { readOnly?: boolean } = {}): Promise<TraceStore> {
  const s = parseStoreSpec(spec);
  if (s.kind === 'duckdb') return new DuckDbTraceStore(await DuckDbStore.open(s.path, { readOnly: options.readOnly, ingestSpool: false }));
  const executor = s.kind === 'chdb' ? await ChdbExecutor.open(s.path) : new HttpExecutor({ url: s.url, username: s.username, password: s.password, database: s.database });
  // A reader does not create tables: a read-only ClickHouse user could not, and the writer owns the schema.
  return ClickHouseStore.open(executor, { migrate: s.migrate && !options.readOnly, ttlDays: s.ttlDays });
}
