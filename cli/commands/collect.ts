import { Command } from 'commander';
import { globalOptions, print } from '../globalOptions.js';
import { CliError } from '../errors.js';
import { startServing } from '../openStore.js';

export interface CollectFlags {
  host: string;
  port: string;
  token?: string;
  allowSink?: string[];
  allowHost?: string[];
}

const collectList = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

/** `agentpulse collect`: OTLP/HTTP collector writing to the DuckDB store. */
export const collectCommand = new Command('collect')
  .description('run the OTLP/HTTP collector (POST /v1/traces, /v1/logs, /v1/metrics; protobuf or JSON) that writes to the DuckDB store')
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
    const { running, where } = await startServing(g, { host: flags.host, port, token: flags.token, allowedSinks: flags.allowSink, allowedHosts: flags.allowHost });
    print(`agentpulse collector listening on ${running.collector.url} (store: ${where}); dashboard at ${running.collector.url}/; Ctrl-C to stop`);
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
