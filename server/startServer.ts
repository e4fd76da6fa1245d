import { startCollector, type RunningCollector } from '../collector/startCollector.js';
import type { CollectorStore } from '../collector/options.js';
import { createDashboard, type Dashboard } from '../dashboard/routes.js';
import type { ApiHandler } from '../http/route.js';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { advertiseLockHolder, isLoopbackUrl } from '../store/lockHolder.js';
import { spoolDirFor } from '../store/spool.js';
import type { TraceStore } from '../store/TraceStore.js';
import { analyzeRoute } from './routes/analyzeRoute.js';
import { feedbackRoute } from './routes/feedbackRoute.js';

/** Where and how to listen; the same for every backend. */
export interface ListenOptions {
  host?: string;
  port?: number;
  token?: string;
  /** Host names served besides loopback (default `AGENTPULSE_ALLOWED_HOSTS`). */
  allowedHosts?: string[];
  /** Serve the dashboard (page, API, live updates) too; default true. */
  dashboard?: boolean;
}

export interface RunningServer<S> {
  collector: RunningCollector;
  store: S;
  dashboard: Dashboard | null;
  /** Closes live streams, the collector (draining what it acknowledged) and the store; idempotent. */
  stop(): Promise<void>;
}

/** Longest a server may take to stop (commit, close the log and the store) before the process gives up waiting. */
const STOP_TIMEOUT_MS = 60_000;

/**
 * The composition root: a collector over an opened store with the API routes and the dashboard
 * mounted. The store is owned from here on (closed by `stop()`, or at once if starting fails).
 */
async function startServer<S extends CollectorStore & { close(): Promise<void> }>(parts: {
  store: S;
  spoolDir: string;
  dashboard: Dashboard | null;
  routes: Record<string, ApiHandler>;
  listen: ListenOptions;
  /** Where what was acknowledged waits if stopping takes too long (for the message). */
  onStopTimeout: () => void;
  /** Called first when stopping (e.g. withdraw the lock-holder advert). */
  beforeStop?: () => void;
}): Promise<RunningServer<S>> {
  const { store, dashboard, listen } = parts;
  let collector: RunningCollector;
  try {
    collector = await startCollector({
      store,
      spoolDir: parts.spoolDir,
      host: listen.host,
      port: listen.port,
      token: listen.token,
      allowedHosts: listen.allowedHosts,
      routes: { ...dashboard?.routes, ...parts.routes },
    });
  } catch (err) {
    dashboard?.close();
    await store.close();
    throw err;
  }
  let stopped: Promise<void> | null = null;
  return {
    collector,
    store,
    dashboard,
    stop: () =>
      (stopped ??= (async () => {
        // While stopping, this process has nothing else to do: hold it open until the queue, the
        // write-ahead log and the store have settled. Some of their waits use unreferenced timers
        // (so a running collector never keeps a host alive on their account); with the server
        // closed, nothing else would, and Node would quit mid-shutdown (exit code 13).
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            parts.onStopTimeout();
            resolve();
          }, STOP_TIMEOUT_MS);
        });
        parts.beforeStop?.();
        try {
          await Promise.race([
            (async () => {
              // Live streams end first, or the collector would wait out its grace period for them.
              dashboard?.close();
              await collector.close();
              await store.close();
            })(),
            deadline,
          ]);
        } finally {
          clearTimeout(timer);
        }
      })()),
  };
}

/**
 * Opens the DuckDB file as its single writer and serves it: OTLP ingest, the API (analyzer runs
 * and feedback go through this writer), and the dashboard unless `dashboard: false`. Advertises
 * itself beside the file so other agentpulse processes on this machine go through it.
 * @example
 * const s = await startLocalServer('agents.duckdb', { port: 4318 });
 * // ... later
 * await s.stop();
 */
export async function startLocalServer(
  db: string,
  options: ListenOptions & {
    /** How the process is advertised beside the file (e.g. "agentpulse dashboard"). */
    command?: string;
    /** Sinks `POST /api/analyze` may name (default `AGENTPULSE_ALLOWED_SINKS`). */
    allowedSinks?: readonly string[];
  } = {},
): Promise<RunningServer<DuckDbStore>> {
  const store = await DuckDbStore.open(db);
  const dashboard = options.dashboard === false ? null : createDashboard(store, { role: 'collector' });
  let withdraw = (): void => undefined;
  const running = await startServer({
    store,
    spoolDir: spoolDirFor(db),
    dashboard,
    routes: { 'POST /api/analyze': analyzeRoute(store, { allowedSinks: options.allowedSinks }), 'POST /api/feedback': feedbackRoute(store) },
    listen: options,
    onStopTimeout: () =>
      process.stderr.write(`agentpulse: the collector did not stop within ${STOP_TIMEOUT_MS / 1000} s; what it acknowledged stays in ${spoolDirFor(db)}/ and is stored at the next start\n`),
    beforeStop: () => withdraw(),
  });
  const local = loopbackUrl(running.collector);
  if (db !== ':memory:' && local) withdraw = advertiseLockHolder(db, { url: local, command: options.command ?? 'agentpulse collect' });
  return running;
}

/**
 * Serves an opened ClickHouse store (`clickhouse://…` or `chdb://DIR`, see `openTraceStore`): OTLP ingest into otel_traces
 * (acknowledged once ClickHouse took the insert; the spool covers ClickHouse being down) and the
 * dashboard over the ClickHouse rollups. Several of these can run behind an OTel Collector gateway.
 */
export async function startClickHouseServer(store: TraceStore, options: ListenOptions & { spoolDir: string }): Promise<RunningServer<TraceStore>> {
  const dashboard = options.dashboard === false ? null : createDashboard({ reader: store }, { role: 'collector' });
  return startServer({
    store,
    spoolDir: options.spoolDir,
    dashboard,
    routes: {},
    listen: options,
    onStopTimeout: () => process.stderr.write(`agentpulse: the collector did not stop within ${STOP_TIMEOUT_MS / 1000} s; what it acknowledged stays in ${options.spoolDir}/\n`),
  });
}

/** The collector's loopback address (it listens on loopback or every interface), or null (then it is not advertised). */
function loopbackUrl(c: RunningCollector): string | null {
  if (c.host === '0.0.0.0' || c.host === '::') return `http://127.0.0.1:${c.port}`;
  return isLoopbackUrl(c.url) ? c.url : null;
}
