/**
 * The one place a command's data source is picked: `--store clickhouse://…` (or AGENTPULSE_STORE),
 * a running collector (`--url`, or AGENTPULSE_URL where a command allows it), or the DuckDB file
 * (`--db`) — read-only or as its writer — and, when another agentpulse process holds that file,
 * that process. The holder advertises its address beside the file (store/lockHolder.ts); read
 * commands go through its HTTP API, so on one machine nobody has to know which process owns the
 * file. A locked file with no serving holder is explained here, once, with advice that works.
 * AGENTPULSE_URL and AGENTPULSE_TOKEN are read here and nowhere else in the CLI.
 * The ClickHouse backend, the server, the dashboard and the analyzer are imported when a command
 * needs them, not before: `sql` and `query` start with DuckDB alone.
 */
import { existsSync } from 'node:fs';
import { CollectorClient } from '../http/CollectorClient.js';
import { isClickHouseSpec, redact, StoreSpecError } from '../store/clickhouse/storeSpec.js';
import { DuckDbStore, openStore } from '../store/DuckDbStore.js';
import { isStoreLocked, StoreMissingError } from '../store/errors.js';
import { ingestPendingHooks } from '../store/hooks/pendingHooks.js';
import { findServingLockHolder, type LockHolder } from '../store/lockHolder.js';
import type { TraceStore } from '../store/TraceStore.js';
import type { AnalyzerSource } from '../analyzer/AnalyzerSource.js';
import type { LearningDb } from '../analyzer/learning/db.js';
import type { DashboardFetch } from '../dashboard/client.js';
import type { Dashboard, DashboardOptions } from '../dashboard/routes.js';
import { CliError } from './errors.js';
import { lockedStoreError } from './lockedStore.js';
import type { GlobalOptions } from './globalOptions.js';
import { DbReader, traceStoreReader, type TraceReader } from './readers.js';
import type { ListenOptions, RunningServer } from '../server/startServer.js';
export type { TraceReader } from './readers.js';
export { lockedStoreError };

/** A collector's API to read through, and why it was chosen. */
export interface RemoteTarget {
  url: string;
  token: string | undefined;
  /** Set when the URL came from the file's advertised holder rather than from --url. */
  holder: LockHolder | null;
}

/** The collector token the CLI sends (AGENTPULSE_TOKEN). */
export const envToken = (): string | undefined => process.env.AGENTPULSE_TOKEN || undefined;
/** A collector named by AGENTPULSE_URL, for commands that read through one by default. */
export const envUrl = (): string | undefined => process.env.AGENTPULSE_URL || undefined;

/** `--url`, else AGENTPULSE_URL: for commands that always prefer a running collector (top, health, dashboard). */
export function preferredUrl(g: Pick<GlobalOptions, 'url'>): string | undefined {
  return g.url ?? envUrl();
}

/** A client for the collector at `url`, with the CLI's token. */
export function collectorClient(url: string, timeoutMs?: number): CollectorClient {
  return new CollectorClient(url, { token: envToken(), timeoutMs });
}

/** The process that holds `db` and serves it over HTTP, if any (advertised beside the file and answering). */
export async function servingHolder(db: string): Promise<LockHolder | null> {
  if (db === ':memory:') return null;
  return findServingLockHolder(db);
}

/** Tells the user (stderr) that a command goes through the file's holder. */
export function noteThroughHolder(db: string, h: LockHolder): void {
  process.stderr.write(`agentpulse: ${db} is held by \`${h.command}\` (PID ${h.pid}); going through it at ${h.url}\n`);
}

/**
 * How long a command waits for a locked file before explaining it: an app writing with the
 * embedded store lets go after AGENTPULSE_IDLE_CLOSE_MS (3 s by default) without writes, and a
 * starting dashboard or collector holds the file a moment before it advertises itself.
 */
function lockWaitMs(): number {
  const v = Number(process.env.AGENTPULSE_LOCK_WAIT_MS);
  return process.env.AGENTPULSE_LOCK_WAIT_MS !== undefined && Number.isFinite(v) && v >= 0 ? v : 4000;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)); // ref'd: the command awaits it

/**
 * Opens the file with `open`, or finds the process that holds it and serves it. While the file is
 * locked and nobody serves it, retries for a few seconds (see {@link lockWaitMs}); then throws
 * {@link lockedStoreError}. `need` is passed on to it.
 */
export async function openOrHolder<T>(db: string, open: () => Promise<T>, o: { need?: string } = {}): Promise<{ local: T } | { holder: LockHolder }> {
  const first = await servingHolder(db);
  if (first) return { holder: first };
  const deadline = Date.now() + lockWaitMs();
  let told = false;
  for (;;) {
    try {
      return { local: await open() };
    } catch (err) {
      if (!isStoreLocked(err)) throw err;
      const h = await servingHolder(db);
      if (h) return { holder: h };
      if (Date.now() >= deadline) throw lockedStoreError(err, db, o.need);
      if (!told) {
        told = true;
        process.stderr.write(`agentpulse: ${db} is locked by ${err.holderPid ? `PID ${err.holderPid}` : 'another process'}; waiting up to ${Math.ceil((deadline - Date.now()) / 1000)} s for it\n`);
      }
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
  }
}

/**
 * Opens a read source: `--url` when given; else the file's serving holder when there is one;
 * else the file itself (`local`). A locked file falls back to AGENTPULSE_URL, waits a little
 * for the file or a holder ({@link openOrHolder}), else fails with {@link lockedStoreError}.
 * @example
 * const reader = await openForRead(g, { local: (db) => openDbReader(db), remote: (t) => new HttpReader(t.url, t.token) });
 */
export async function openForRead<T>(
  g: Pick<GlobalOptions, 'db' | 'url'>,
  open: { local: (db: string) => Promise<T>; remote: (target: RemoteTarget) => T | Promise<T> },
): Promise<T> {
  if (g.url) return open.remote({ url: g.url, token: envToken(), holder: null });
  const fallbackUrl = envUrl();
  const opened = await openOrHolder(g.db, async () => {
    try {
      return { value: await open.local(g.db) };
    } catch (err) {
      // A locked file with AGENTPULSE_URL set reads through that collector, as before.
      if (isStoreLocked(err) && fallbackUrl) return { env: fallbackUrl };
      throw err;
    }
  });
  if ('holder' in opened) {
    noteThroughHolder(g.db, opened.holder);
    return open.remote({ url: opened.holder.url, token: envToken(), holder: opened.holder });
  }
  if ('env' in opened.local) {
    process.stderr.write(`agentpulse: ${g.db} is locked by a writer; reading through ${opened.local.env}\n`);
    return open.remote({ url: opened.local.env!, token: envToken(), holder: null });
  }
  return opened.local.value;
}

/**
 * For commands that open the file as its writer: refuses a path with no database (a mistyped
 * --db would otherwise create a new, empty one and report success), unless `unless` holds.
 */
export function requireStoreFile(db: string, unless = false): void {
  if (db !== ':memory:' && !unless && !existsSync(db)) throw new CliError(new StoreMissingError(db).message, { code: 'STORE_MISSING' });
}

/**
 * For commands that work on the file itself (export, retention, ingest-spool, `sql --write`):
 * refuses `--url`, a missing file (unless `allowMissing`), and explains a locked one with `need`.
 */
export async function openFile(g: Pick<GlobalOptions, 'db' | 'url'>, o: { need: string; readOnly?: boolean; ingestSpool?: boolean; allowMissing?: boolean }): Promise<DuckDbStore> {
  if (g.url) throw new CliError(`${o.need}; run it where the file is (without --url)`);
  if (!o.readOnly) requireStoreFile(g.db, o.allowMissing);
  try {
    const opened = await openOrHolder(g.db, () => DuckDbStore.open(g.db, { readOnly: o.readOnly, ingestSpool: o.ingestSpool }), { need: o.need });
    if ('local' in opened) return opened.local;
    const h = opened.holder;
    throw new CliError(`${g.db} is held by \`${h.command}\` (PID ${h.pid}); ${o.need}: stop it briefly and run this again`, { code: 'STORE_LOCKED' });
  } catch (err) {
    if (err instanceof StoreMissingError) throw new CliError(err.message, { cause: err, code: err.code });
    throw err;
  }
}

// ---- backends: ClickHouse (--store) ----

/**
 * The scale-out backend selected with `--store clickhouse://…` or AGENTPULSE_STORE, or undefined
 * when commands should use the DuckDB file (`--db`) or a collector (`--url`) as before.
 */
export function clickhouseStoreSpec(flag?: string): string | undefined {
  const spec = flag ?? process.env.AGENTPULSE_STORE;
  return spec && isClickHouseSpec(spec) ? spec : undefined;
}

/** Opens the ClickHouse TraceStore for a command; errors become one-line CliErrors. */
export async function openClickHouseForCli(spec: string, options: { readOnly?: boolean } = {}): Promise<TraceStore> {
  const [{ openTraceStore }, { ChdbMissingError }] = await Promise.all([import('../store/clickhouse/openTraceStore.js'), import('../store/clickhouse/ChdbExecutor.js')]);
  try {
    return await openTraceStore(spec, options);
  } catch (err) {
    if (err instanceof StoreSpecError || err instanceof ChdbMissingError) throw new CliError(err.message, { cause: err });
    const msg = err instanceof Error ? err.message : String(err);
    throw new CliError(`cannot open the ClickHouse store ${redact(spec)}: ${msg}`, { cause: err });
  }
}

// ---- readers: sql, query, alerts, learning ----

export interface ReaderOptions {
  db: string;
  url?: string;
  token?: string;
  /** A ClickHouse store spec (`--store`); wins over --db and --url. */
  store?: string;
}

/**
 * Opens a reader: a ClickHouse `--store`; `--url`; the serving holder of the file; or the DB file
 * read-only (cli/openStore.ts decides, and explains a locked file).
 */
export async function openReader(opts: ReaderOptions, local: { sandbox?: boolean } = {}): Promise<TraceReader> {
  const clickhouse = clickhouseStoreSpec(opts.store);
  if (clickhouse) return traceStoreReader(await openClickHouseForCli(clickhouse, { readOnly: true }));
  return openForRead<TraceReader>(opts, {
    local: async (db) => {
      await ingestPendingHooks(db);
      return new DbReader(await DuckDbStore.open(db, { readOnly: true, sandbox: local.sandbox }));
    },
    remote: (t) => new CollectorClient(t.url, { token: opts.token ?? t.token }),
  });
}

// ---- the dashboard's data (dashboard, top, analytics, health) ----

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
  const { localFetch, httpFetch } = await import('../dashboard/client.js');
  if (o.url) return { fetch: httpFetch(o.url, o.token), kind: 'url', where: o.url, dashboard: null, close: async () => undefined };
  const { createDashboard } = await import('../dashboard/routes.js');
  if (o.store && isClickHouseSpec(o.store)) {
    // ClickHouse (--store): the same API; named queries run their ClickHouse variants over the rollup views.
    const ts = await openClickHouseForCli(o.store, { readOnly: true });
    const dashboard = createDashboard({ reader: ts }, { role: 'dashboard', ...o.options, serveStatic: false });
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
  await ingestPendingHooks(o.db);
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

// ---- learning writes ----

/** Runs `fn` over a read-only view (file or --url). */
export async function withReader<T>(g: GlobalOptions, fn: (db: LearningDb) => Promise<T>): Promise<T> {
  const reader = await openReader(g);
  const { fromReader } = await import('../analyzer/learning/db.js');
  try {
    return await fn(fromReader(reader));
  } finally {
    await reader.close();
  }
}

/** Runs `fn` over the writable store and closes it. Refused promotions become one-line CLI errors. */
export async function withWriter<T>(g: GlobalOptions, fn: (db: DuckDbStore) => Promise<T>): Promise<T> {
  const store = await openFile(g, { need: 'learning changes are written to the file itself', ingestSpool: false });
  const { isPromotionRefused } = await import('../analyzer/learning/errors.js');
  try {
    return await fn(store);
  } catch (err) {
    if (isPromotionRefused(err)) throw new CliError(err.message, { cause: err, code: err.code, exitCode: 2 });
    throw err;
  } finally {
    await store.close();
  }
}

// ---- the analyzer (analyze) ----

/**
 * Where `analyze` runs: through a collector (`--url`, or the file's serving holder: the writer
 * runs it so alert state persists), or here over a ClickHouse store or the file (writable unless
 * `persist` is false).
 */
export async function openAnalyzerTarget(
  g: GlobalOptions,
  o: { persist: boolean },
): Promise<{ url: string } | { source: AnalyzerSource; close: () => Promise<void> }> {
  const { sourceFromStore, sourceFromTraceStore } = await import('../analyzer/AnalyzerSource.js');
  const clickhouse = clickhouseStoreSpec(g.store);
  if (clickhouse) {
    // Named queries run their ClickHouse variants; alert state and the run persist there too.
    const store = await openClickHouseForCli(clickhouse, { readOnly: !o.persist });
    return { source: sourceFromTraceStore(store), close: () => store.close() };
  }
  if (g.url) return { url: g.url };
  if (!existsSync(g.db)) throw new CliError(`no trace store at ${g.db}; pass --db PATH, --url URL, or create one with \`agentpulse demo\``);
  const opened = await openOrHolder(g.db, async () => {
    await ingestPendingHooks(g.db);
    return openStore(g.db, { readOnly: !o.persist, ingestSpool: false });
  });
  if ('holder' in opened) {
    noteThroughHolder(g.db, opened.holder);
    return { url: opened.holder.url };
  }
  const store = opened.local;
  return { source: sourceFromStore(store), close: () => store.close() };
}

// ---- servers (collect, dashboard) ----

/** Where and how a server command listens, and what a collector may be asked to deliver to. */
export interface ServeOptions extends ListenOptions {
  /** How the process is advertised beside the file. */
  command?: string;
  /** Sinks `POST /api/analyze` may name. */
  allowedSinks?: readonly string[];
}

/**
 * `collect`: serves the ClickHouse store (`--store`, spooling to AGENTPULSE_SPOOL_DIR) or holds
 * the DuckDB file as its writer. Returns the running server and a name for the store (redacted).
 */
export async function startServing(g: GlobalOptions, o: ServeOptions): Promise<{ running: RunningServer<unknown>; where: string }> {
  const { startClickHouseServer, startLocalServer } = await import('../server/startServer.js');
  const clickhouse = clickhouseStoreSpec(g.store);
  if (clickhouse) {
    const spoolDir = process.env.AGENTPULSE_SPOOL_DIR ?? 'agentpulse-clickhouse.spool';
    return { running: await startClickHouseServer(await openClickHouseForCli(clickhouse), { ...o, spoolDir }), where: redact(clickhouse) };
  }
  return { running: await startLocalServer(g.db, o), where: g.db };
}

/**
 * `dashboard`: through a collector (`--url`, AGENTPULSE_URL, or the file's holder: proxied), over a
 * ClickHouse store (read-only routes here), or holding the DuckDB file and serving everyone
 * (`local`: a full server, OTLP ingest included).
 */
export async function openDashboardTarget(
  g: GlobalOptions,
  o: ServeOptions,
): Promise<{ proxy: string } | { source: DashboardSource } | { local: RunningServer<DuckDbStore> }> {
  const url = preferredUrl(g);
  if (url) return { proxy: url };
  const clickhouse = clickhouseStoreSpec(g.store);
  if (clickhouse) return { source: await openDashboardSource({ db: g.db, store: clickhouse }) };
  if (g.db !== ':memory:' && !existsSync(g.db)) throw new CliError(new StoreMissingError(g.db).message, { code: 'STORE_MISSING' });
  // Hold the file and serve everyone, or go through the process that already does.
  const { startLocalServer } = await import('../server/startServer.js');
  const opened = await openOrHolder(g.db, () => startLocalServer(g.db, o));
  if ('local' in opened) return { local: opened.local };
  process.stderr.write(`agentpulse: ${g.db} is held by \`${opened.holder.command}\` (PID ${opened.holder.pid}); the dashboard goes through it (also served at ${opened.holder.url}/)\n`);
  return { proxy: opened.holder.url };
}

/**
 * `run`: where the program's spans go: a collector that answers at `--url`/AGENTPULSE_URL (or
 * 127.0.0.1:`port`), else the file's holder, else a server started here on `port` (`local`, to
 * stop when the program ends). An explicit `--url` that does not answer is an error.
 */
export async function openRunTarget(g: GlobalOptions, port: number): Promise<{ endpoint: string; local: RunningServer<DuckDbStore> | null }> {
  const url = preferredUrl(g) ?? `http://127.0.0.1:${port}`;
  const up = await collectorClient(url, 1000).get('/healthz').then(() => true, () => false);
  if (up) return { endpoint: url, local: null };
  if (g.url) throw new CliError(`no collector answers at ${g.url}; start one with \`agentpulse collect\` or drop --url`);
  const holder = await servingHolder(g.db);
  if (holder) return { endpoint: holder.url, local: null };
  const { startLocalServer } = await import('../server/startServer.js');
  const local = await startLocalServer(g.db, { port, command: 'agentpulse run' });
  process.stderr.write(`agentpulse: started a collector at ${local.collector.url} writing to ${g.db}\n`);
  return { endpoint: local.collector.url, local };
}
