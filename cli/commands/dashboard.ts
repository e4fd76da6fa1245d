import { Command } from 'commander';
import { startDashboardServer, type RunningDashboardServer } from '../../dashboard/server.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { envToken, openDashboardTarget } from '../openStore.js';

/** `agentpulse dashboard`: serves the web dashboard over a store or a running collector. */
export const dashboardCommand = new Command('dashboard')
  .description('serve the web dashboard: live agent status, trends, error heat map, teams, costs, alerts, recovery, health, trace waterfalls')
  .option('--host <host>', 'address to bind (loopback only unless you know why)', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 = any free port)', '4319')
  .addHelpText('after', `
Examples:
  $ agentpulse --db agents.duckdb dashboard          # holds the file and serves everyone on this machine (see below)
  $ agentpulse --url http://127.0.0.1:4318 dashboard # through a running collector (API proxied, live updates)
  $ agentpulse collect                                # the collector serves the same dashboard at its own URL

On a DuckDB file the dashboard holds the file and runs the local collector on its port: OTLP
ingest (/v1/traces), the API (/api/*) and the page. It advertises its address beside the file
(<db>.agentpulse.json), so apps preloaded with AGENTPULSE_DB=<db> send their spans to it and other
commands (analyze, sql, top, …) on the same file go through it. If another agentpulse process
already holds the file, the dashboard goes through that one instead.

Security: beyond loopback (--host 0.0.0.0) the dashboard needs AGENTPULSE_TOKEN (16+ characters)
and requires it on every route but the page; Host names other than localhost/127.0.0.1/[::1] are
refused unless listed in AGENTPULSE_ALLOWED_HOSTS (DNS rebinding). See docs/security.md.`)
  .action(async function (this: Command, flags: { host: string; port: string }) {
    const g = globalOptions(this);
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0..65535, got "${flags.port}"`);
    const target = await openDashboardTarget(g, { host: flags.host, port, command: 'agentpulse dashboard' });
    let stop: () => Promise<void>;
    let line: string;
    if ('local' in target) {
      const r = target.local;
      const u = r.collector.url;
      line = `agentpulse dashboard on ${u}/ (store ${g.db}; also takes OTLP at ${u}/v1/traces and serves other agentpulse commands on this file); Ctrl-C to stop`;
      stop = () => r.stop();
    } else {
      // Through a collector (proxied), or over ClickHouse (read-only routes in this process).
      const url = 'proxy' in target ? target.proxy : undefined;
      const source = 'source' in target ? target.source : null;
      let server: RunningDashboardServer;
      try {
        server = await startDashboardServer({ host: flags.host, port, routes: source?.dashboard?.routes, proxyUrl: url, proxyToken: envToken() });
      } catch (err) {
        await source?.close();
        throw err;
      }
      line = `agentpulse dashboard on ${server.url}/ (${url ? `API proxied to ${url}` : `store ${source?.where}, read-only`}); Ctrl-C to stop`;
      stop = async () => {
        source?.dashboard?.close();
        await server.close();
        await source?.close();
      };
    }
    print(line);
    await new Promise<void>((resolve) => {
      const onSignal = (): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    await stop();
  });
