import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { CliError } from '../errors.js';
import { globalOptions } from '../globalOptions.js';
import { openRunTarget } from '../openStore.js';

/** Absolute path of the compiled preload. */
export function registerPath(): string {
  return fileURLToPath(new URL('../../instrumentation/register.js', import.meta.url));
}

/** `agentpulse run -- <cmd…>`: runs a program with the preload, sending spans to a collector. */
export const runCommand = new Command('run')
  .description('run a program with the agentpulse preload, sending its spans to a collector (starts one if none is running)')
  .argument('<cmd...>', 'the program and its arguments, after --')
  .option('--port <port>', 'collector port to use or start', '4318')
  .addHelpText('after', `
Examples:
  $ agentpulse run -- node my-agent.js --task triage
  $ agentpulse --db agents.duckdb run -- npm start`)
  .action(async function (this: Command, cmd: string[], flags: { port: string }) {
    const g = globalOptions(this);
    const { endpoint, local } = await openRunTarget(g, Number(flags.port));
    const nodeOptions = [process.env.NODE_OPTIONS ?? '', `--import="${registerPath()}"`].join(' ').trim();
    const child = spawn(cmd[0], cmd.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, NODE_OPTIONS: nodeOptions, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, AGENTPULSE_EXPORTER: 'otlp' },
    });
    const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', (err) => reject(new CliError(`cannot start "${cmd[0]}": ${err.message}`, { cause: err, exitCode: 127 })));
      child.on('exit', (c, s) => resolve(c ?? (s ? 128 + 15 : 1)));
    }).finally(async () => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      if (local) await local.stop();
    });
    if (code !== 0) throw new CliError(`${cmd[0]} exited with code ${code}`, { exitCode: code });
  });
