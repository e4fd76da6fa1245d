import { Command } from 'commander';
import { openDashboardSource } from '../../dashboard/source.js';
import { startDashboardServer } from '../../dashboard/server.js';
import { isStoreLocked } from '../../store/errors.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';

/** Explains a locked store: a writer (usually `agentpulse collect`) holds it, and that writer can serve the dashboard. */
export function lockedStoreError(err: Error & { holderPid?: number | null }, db: string): CliError {
  return new CliError(
    `${db} is locked by a writer${err.holderPid ? ` (PID ${err.holderPid})` : ''}, so it cannot be opened read-only. ` +
      'If that is `agentpulse collect`, it serves the dashboard itself at its URL (e.g. http://127.0.0.1:4318/); ' +
      'otherwise pass --url http://HOST:PORT of a running collector',
    { cause: err, code: 'STORE_LOCKED' },
  );
}

/** `agentpulse dashboard`: serves the web dashboard over a store (read-only) or a running collector. */
export const dashboardCommand = new Command('dashboard')
  .description('serve the web dashboard: live agent status, trends, error heat map, teams, costs, alerts, recovery, health, trace waterfalls')
  .option('--host <host>', 'address to bind (loopback only unless you know why)', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 = any free port)', '4319')
  .addHelpText('after', `
Examples:
  $ agentpulse --db agents.duckdb dashboard          # read-only view of a file no process is writing
  $ agentpulse --url http://127.0.0.1:4318 dashboard # through a running collector (API proxied, live updates)
  $ agentpulse collect                                # the collector serves the same dashboard at its own URL`)
  .action(async function (this: Command, flags: { host: string; port: string }) {
    const g = globalOptions(this);
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0..65535, got "${flags.port}"`);
    const url = g.url ?? process.env.AGENTPULSE_URL;
    let source;
    try {
      source = url ? null : await openDashboardSource({ db: g.db, store: g.store });
    } catch (err) {
      if (isStoreLocked(err)) throw lockedStoreError(err, g.db);
      throw err;
    }
    const server = await startDashboardServer({
      host: flags.host,
      port,
      routes: source?.dashboard?.routes,
      proxyUrl: url,
      proxyToken: process.env.AGENTPULSE_TOKEN,
    }).catch(async (err: unknown) => {
      await source?.close();
      throw err;
    });
    print(`agentpulse dashboard on ${server.url}/ (${url ? `API proxied to ${url}` : `store ${source?.where ?? g.db}, read-only`}); Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    source?.dashboard?.close();
    await server.close();
    await source?.close();
  });
