import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isAgentpulseError } from './errors.js';
import { isCliError } from './errors.js';
import { COMMANDS } from './commands/index.js';

/** The package's version: package.json sits two levels above the compiled dist/cli/main.js (one above cli/main.ts). */
function packageVersion(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'agentpulse' && pkg.version) return pkg.version;
    } catch {
      /* try the next level */
    }
  }
  return 'unknown';
}

const program = new Command('agentpulse')
  .version(packageVersion(), '-V, --version', 'print the agentpulse version')
  .description('observability, recovery and learning for AI agents, on OpenTelemetry and DuckDB')
  .option('--db <path>', 'DuckDB trace store (default: $AGENTPULSE_DB or ./agentpulse.duckdb)')
  .option('--url <url>', 'read through a running collector instead of the file (or $AGENTPULSE_URL)')
  .option('--store <url>', 'scale-out backend: clickhouse://user:pass@host:8123/db (or $AGENTPULSE_STORE); see docs/scale-out.md')
  .option('--json', 'machine-readable output')
  .option('--debug', 'print stack traces on errors')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .addHelpText('after', `
Start here:
  $ agentpulse demo                 simulate a fleet of agents into ./agentpulse.duckdb
  $ agentpulse sql "select count(*) from spans"
  $ node --import agentpulse/register app.js   trace your own agents`);

// `agentpulse sql … | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

/** The command word in `argv` (after the global options and their values), and what follows it. */
function commandWord(args: readonly string[]): { word: string | undefined; rest: readonly string[] } {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--db' || a === '--url' || a === '--store') i++;
    else if (!a.startsWith('-')) return { word: a, rest: args.slice(i + 1) };
  }
  return { word: undefined, rest: [] };
}

// Only the command that runs is loaded (with whatever it imports); `--help`, `--version` and an
// unknown command see every command by its summary alone.
const { word, rest } = commandWord(process.argv.slice(2));
const target = COMMANDS.find((c) => c.name === (word === 'help' ? rest[0] : word));
if (target) program.addCommand((await target.load()).exitOverride());
else for (const c of COMMANDS) program.addCommand(new Command(c.name).description(c.summary).exitOverride());

/** The one place the CLI exits. */
async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const debug = process.argv.includes('--debug');
    if (debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    if (isCliError(err)) {
      if (!err.reported) process.stderr.write(`agentpulse: ${err.message}\n`);
      return err.exitCode;
    }
    if (isAgentpulseError(err)) {
      process.stderr.write(`agentpulse: ${err.message}\n`);
      return 1;
    }
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`agentpulse: ${msg}${debug ? '' : ' (run with --debug for details)'}\n`);
    return 1;
  }
}

process.exitCode = await main();
