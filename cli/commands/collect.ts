import { Command } from 'commander';
import { analyzeRoute } from '../../analyzer/analyzeRoute.js';
import { feedbackRoute } from '../../analyzer/learning/feedbackRoute.js';
import { startCollector } from '../../collector/startCollector.js';
import type { RunningCollector } from '../../collector/startCollector.js';
import { createDashboard, type Dashboard } from '../../dashboard/routes.js';
import { DuckDbStore } from '../../store/DuckDbStore.js';
import { advertiseLockHolder, isLoopbackUrl } from '../../store/lockHolder.js';
import { spoolDirFor } from '../../store/spool.js';
import { globalOptions, print } from '../globalOptions.js';
import { CliError } from '../errors.js';
import { clickhouseStoreSpec, startClickHouseCollector } from '../source.js';
import { redact } from '../../store/clickhouse/openTraceStore.js';

export interface CollectFlags {
  host: string;
  port: string;
  token?: string;
  allowSink?: string[];
  allowHost?: string[];
}

const collectList = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

/** Longest a local collector may take to stop (commit, close the log and the store) before the process gives up waiting. */
const STOP_TIMEOUT_MS = 60_000;

/**
 * Opens the store as the single writer and starts the OTLP/HTTP collector on it, serving the
 * dashboard (page, API, live updates) too unless `dashboard: false`.
 */
export async function startLocalCollector(
  db: string,
  flags: {
    host?: string;
    port?: number;
    token?: string;
    dashboard?: boolean;
    /** How the process is advertised beside the file (e.g. "agentpulse dashboard"). */
    command?: string;
    /** Sinks `POST /api/analyze` may name (default `AGENTPULSE_ALLOWED_SINKS`). */
    allowedSinks?: readonly string[];
    /** Host names served besides loopback (default `AGENTPULSE_ALLOWED_HOSTS`). */
    allowedHosts?: string[];
  },
): Promise<{ collector: RunningCollector; store: DuckDbStore; dashboard: Dashboard | null; stop(): Promise<void> }> {
  const store = await DuckDbStore.open(db);
  let collector: RunningCollector;
  const dashboard = flags.dashboard === false ? null : createDashboard(store, { role: 'collector' });
  try {
    // Writes that must go through the single writer: analyzer runs (alert state) and feedback.
    const routes = { ...dashboard?.routes, 'POST /api/analyze': analyzeRoute(store, { allowedSinks: flags.allowedSinks }), 'POST /api/feedback': feedbackRoute() };
    collector = await startCollector({ store, spoolDir: spoolDirFor(db), host: flags.host, port: flags.port, token: flags.token, allowedHosts: flags.allowedHosts, routes });
  } catch (err) {
    dashboard?.close();
    await store.close();
    throw err;
  }
  // Other agentpulse processes on this machine find us beside the file and go through us.
  const local = loopbackUrl(collector);
  const withdraw = db === ':memory:' || !local ? () => undefined : advertiseLockHolder(db, { url: local, command: flags.command ?? 'agentpulse collect' });
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
            process.stderr.write(`agentpulse: the collector did not stop within ${STOP_TIMEOUT_MS / 1000} s; what it acknowledged stays in ${spoolDirFor(db)}/ and is stored at the next start\n`);
            resolve();
          }, STOP_TIMEOUT_MS);
        });
        withdraw();
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

/** The collector's loopback address (it listens on loopback or every interface), or null (then it is not advertised). */
function loopbackUrl(c: RunningCollector): string | null {
  if (c.host === '0.0.0.0' || c.host === '::') return `http://127.0.0.1:${c.port}`;
  return isLoopbackUrl(c.url) ? c.url : null;
}

/** `agentpulse collect`: OTLP/HTTP collector writing to the DuckDB store. */
export const collectCommand = new Command('collect')
  .description('run the OTLP/HTTP collector (POST /v1/traces, protobuf or JSON) that writes to the DuckDB store')
  .option('--host <host>', 'address to bind (non-loopback requires AGENTPULSE_TOKEN)', '127.0.0.1')
  .option('--port <port>', 'port to listen on', '4318')
  .option('--token <token>', 'bearer token required on every route but /healthz (default: AGENTPULSE_TOKEN)')
  .option('--allow-sink <spec>', 'a sink that `analyze --url` requests may name: ndjson:FILE, ndjson:FOLDER/, webhook|slack|alertmanager:URL (its origin); repeatable (default: AGENTPULSE_ALLOWED_SINKS)', collectList)
  .option('--allow-host <name>', 'a Host name served besides localhost/127.0.0.1/[::1], e.g. a reverse proxy\'s public name; repeatable (default: AGENTPULSE_ALLOWED_HOSTS)', collectList)
  .addHelpText('after', `
Examples:
  $ agentpulse collect --db agents.duckdb
  $ OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node --import agentpulse/register app.js
  $ AGENTPULSE_TOKEN=$(openssl rand -hex 24) agentpulse collect --host 0.0.0.0
  $ agentpulse collect --allow-sink webhook:https://hooks.example.com --allow-sink ndjson:/var/log/agentpulse/`)
  .action(async function (this: Command, flags: CollectFlags) {
    const g = globalOptions(this);
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0..65535, got "${flags.port}"`);
    const clickhouse = clickhouseStoreSpec(g.store);
    const running = clickhouse
      ? await startClickHouseCollector(clickhouse, { host: flags.host, port, token: flags.token, allowedHosts: flags.allowHost, spoolDir: process.env.AGENTPULSE_SPOOL_DIR ?? 'agentpulse-clickhouse.spool' })
      : await startLocalCollector(g.db, { host: flags.host, port, token: flags.token, allowedSinks: flags.allowSink, allowedHosts: flags.allowHost });
    print(`agentpulse collector listening on ${running.collector.url} (store: ${clickhouse ? redact(clickhouse) : g.db}); dashboard at ${running.collector.url}/; Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void running.stop().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  });
