import type { DuckDBInstance } from '@duckdb/node-api';
import { agentGraph, sessions } from './multiAgentApi.js';
import { HttpError } from '../http/HttpError.js';
import type { ApiHandler } from '../http/route.js';
import { DashboardApi, type DashboardApiOptions } from './DashboardApi.js';
import { storeHealth, type HealthOptions } from './health.js';
import { LiveFeed, type LiveFeedOptions } from './LiveFeed.js';
import { ReadPool, type NamedReader } from './readPool.js';
import { staticRoutes } from './staticFiles.js';
import { sourcesReport } from './sources.js';

export interface DashboardOptions extends DashboardApiOptions {
  live?: LiveFeedOptions;
  /** Health thresholds for `GET /api/health`. */
  health?: Omit<HealthOptions, 'dbPath'>;
  /** Read connections opened on the store's instance (default 2). */
  readConnections?: number;
  /** Serve the page and assets too (default true). */
  serveStatic?: boolean;
  /** Who is answering, for the health panel: 'collector' or 'dashboard'. */
  role?: string;
}

/** What the dashboard needs from a store: a DuckDB instance to open read connections on. */
export interface DashboardStore {
  readonly instance: DuckDBInstance;
  readonly path?: string;
  readonly readOnly?: boolean;
}

export interface Dashboard {
  api: DashboardApi;
  routes: Record<string, ApiHandler>;
  live: LiveFeed;
  /** Ends live streams and closes the read connections. Idempotent. */
  close(): void;
}

/**
 * The dashboard over a store: its API routes (`GET /api/...`, SSE `GET /api/live`) and,
 * unless `serveStatic: false`, the page. Mount the routes on the collector or on
 * `startDashboardServer`.
 * @example
 * const d = createDashboard(store);
 * await startCollector({ store, routes: d.routes });
 */
export function createDashboard(store: DashboardStore | { reader: NamedReader; path?: string }, opts: DashboardOptions = {}): Dashboard {
  const pool = 'reader' in store ? null : new ReadPool(store.instance, opts.readConnections ?? 2);
  const reader: NamedReader = 'reader' in store ? store.reader : pool!;
  const api = new DashboardApi(reader, opts);
  const live = new LiveFeed(api, opts.live);
  const dbPath = store.path && store.path !== ':memory:' ? store.path : undefined;
  const routes: Record<string, ApiHandler> = {
    'GET /api/summary': (c) => api.summary(c.url.searchParams),
    'GET /api/agents': (c) => api.agents(c.url.searchParams),
    'GET /api/timeseries': (c) => api.timeseries(c.url.searchParams),
    'GET /api/errors': (c) => api.errors(c.url.searchParams),
    'GET /api/teams': (c) => api.teams(c.url.searchParams),
    'GET /api/costs': (c) => api.costs(c.url.searchParams),
    'GET /api/patterns': () => api.patterns(),
    'GET /api/alerts': () => api.alerts(),
    'GET /api/recovery': (c) => api.recovery(c.url.searchParams),
    'GET /api/health': async (c) => {
      const lag = Number(c.url.searchParams.get('max_lag') ?? NaN);
      const health = { ...opts.health, dbPath, ...(lag > 0 ? { maxLagSeconds: lag } : {}) };
      return { ...(await storeHealth(api, health)), served_by: opts.role ?? 'collector' };
    },
    'GET /api/sources': async (c) => {
      // Without a window: everything stored (logs and metrics make no rollups, so the data extent does not cover them).
      const q = c.url.searchParams;
      const bounded = q.has('range') || q.has('from') || q.has('to');
      const w = bounded ? await api.window(q) : null;
      return { window: w && { fromMs: w.fromMs, toMs: w.toMs }, ...(await sourcesReport(reader, { from_ms: w?.fromMs ?? null, to_ms: w?.toMs ?? null })) };
    },
    'GET /api/traces': (c) => api.traces(c.url.searchParams),
    'GET /api/agent-graph': (c) => agentGraph(api, c.url.searchParams),
    'GET /api/sessions': (c) => sessions(api, c.url.searchParams),
    'GET /api/traces/:id': async (c) => {
      const id = c.params.id ?? '';
      if (!/^[0-9a-fA-F]{1,64}$/.test(id)) throw new HttpError(400, 'trace id must be hex');
      const t = await api.trace(id.toLowerCase(), c.url.searchParams);
      if (!t) throw new HttpError(404, `no trace ${id}`);
      return t;
    },
    'GET /api/live': (c) => {
      live.attach(c.res);
      return undefined;
    },
    ...(opts.serveStatic === false ? {} : staticRoutes()),
  };
  let closed = false;
  return {
    api,
    routes,
    live,
    close: () => {
      if (closed) return;
      closed = true;
      live.close();
      pool?.close();
    },
  };
}

/** Just the route table; see {@link createDashboard} when you also need to close it. */
export function dashboardRoutes(store: DashboardStore, opts: DashboardOptions = {}): Record<string, ApiHandler> {
  return createDashboard(store, opts).routes;
}
