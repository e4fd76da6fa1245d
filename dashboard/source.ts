import { namedQueryRunner } from '../store/clickhouse/namedQueryRunner.js';
import { isClickHouseSpec, openTraceStore, redact } from '../store/clickhouse/openTraceStore.js';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { httpFetch, localFetch, type DashboardFetch } from './client.js';
import { createDashboard, type Dashboard, type DashboardOptions } from './routes.js';

/** Where a dashboard command reads from: a running collector's API, or the DuckDB file read-only. */
export interface DashboardSource {
  fetch: DashboardFetch;
  /** 'url' or 'db'. */
  kind: 'url' | 'db';
  /** The URL or the file path. */
  where: string;
  /** The in-process dashboard (db mode only), e.g. to serve its routes. */
  dashboard: Dashboard | null;
  close(): Promise<void>;
}

/**
 * Opens the source: `url` wins; otherwise the DuckDB file read-only. A read-only open fails
 * while a writer holds the file; the StoreLockedError is thrown as-is for the caller to explain.
 */
export async function openDashboardSource(o: { db: string; url?: string; token?: string; store?: string; options?: DashboardOptions }): Promise<DashboardSource> {
  if (o.url) return { fetch: httpFetch(o.url, o.token), kind: 'url', where: o.url, dashboard: null, close: async () => undefined };
  if (o.store && isClickHouseSpec(o.store)) {
    // ClickHouse (--store): the same API; named queries run their ClickHouse variants over the rollup views.
    const ts = await openTraceStore(o.store, { readOnly: true });
    const dashboard = createDashboard({ sql: namedQueryRunner(ts) }, { role: 'dashboard', ...o.options, serveStatic: false });
    return {
      fetch: localFetch(dashboard.routes),
      kind: 'db',
      where: redact(o.store),
      dashboard,
      close: async () => {
        dashboard.close();
        await ts.close();
      },
    };
  }
  const store = await DuckDbStore.open(o.db, { readOnly: true });
  const dashboard = createDashboard(store, { role: 'dashboard', ...o.options, serveStatic: false });
  return {
    fetch: localFetch(dashboard.routes),
    kind: 'db',
    where: o.db,
    dashboard,
    close: async () => {
      dashboard.close();
      await store.close();
    },
  };
}
