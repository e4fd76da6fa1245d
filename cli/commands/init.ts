import { Command, Option } from 'commander';
import { applyClaude, removeClaude } from '../init/claudeSettings.js';
import { applyCodex, CodexConfigError, removeCodex } from '../init/codexToml.js';
import { hookCommand, readMaybe, settingsPath, writeAtomic } from '../init/files.js';
import { applyGemini, removeGemini } from '../init/geminiSettings.js';
import { SettingsFileError, type Edit } from '../init/settingsJson.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';

type Tool = 'claude-code' | 'codex' | 'gemini';

interface InitFlags {
  user?: boolean;
  settings?: string;
  config?: string;
  endpoint: string;
  http?: boolean;
  tokenEnv?: boolean;
  traces?: boolean;
  dryRun?: boolean;
  remove?: boolean;
  force?: boolean;
}

/** The changed lines of `before` → `after`: what differs between their common head and tail. */
function diff(before: string, after: string): string {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return [...a.slice(head, a.length - tail).map((l) => `- ${l}`), ...b.slice(head, b.length - tail).map((l) => `+ ${l}`)].join('\n');
}

function edit(tool: Tool, file: string, before: string | null, db: string, f: InitFlags): Edit {
  try {
    if (tool === 'claude-code') {
      return f.remove
        ? removeClaude(before, file, { endpoint: f.endpoint })
        : applyClaude(before, file, { command: hookCommand(db), endpoint: f.endpoint, http: f.http, tokenEnv: f.tokenEnv, traces: f.traces, force: f.force });
    }
    if (tool === 'gemini') return f.remove ? removeGemini(before, file, { endpoint: f.endpoint }) : applyGemini(before, file, { endpoint: f.endpoint, force: f.force });
    return f.remove ? removeCodex(before) : applyCodex(before, file, { endpoint: f.endpoint, traces: f.traces, force: f.force });
  } catch (err) {
    if (err instanceof SettingsFileError || err instanceof CodexConfigError) throw new CliError(err.message, { cause: err });
    throw err;
  }
}

function nextSteps(tool: Tool, db: string, f: InitFlags): string {
  const collect = `start the collector: agentpulse --db ${db} collect   (it listens on ${f.endpoint})`;
  if (tool === 'claude-code' && !f.http) {
    return `Next: ${collect}\n      Hooks journal beside ${db}; whatever opens it next takes them in, e.g.\n      agentpulse --db ${db} sql "select name, agent_name, cost_usd from spans order by start_ns desc limit 20"`;
  }
  if (tool === 'codex') return `Next: ${collect}\n      (Codex sends its metrics to its vendor, statsig, unless metrics_exporter is set: it now is.)`;
  return `Next: ${collect}`;
}

/** `agentpulse init claude-code|codex|gemini`: wires a coding agent's telemetry (and Claude Code's hooks) to agentpulse. */
export const initCommand = new Command('init')
  .description('wire a coding agent to agentpulse: Claude Code hooks and OTel, Codex [otel], Gemini CLI telemetry (idempotent; --remove undoes)')
  .addArgument(new Command().createArgument('<agent>', 'claude-code, codex or gemini').choices(['claude-code', 'codex', 'gemini']))
  .option('--user', "the user's settings (~/.claude, ~/.gemini) instead of the project's (./.claude, ./.gemini); Codex has only ~/.codex")
  .option('--settings <file>', 'the settings file to edit (Claude Code, Gemini CLI), instead of the default place')
  .option('--config <file>', "Codex's config.toml to edit (default $CODEX_HOME/config.toml or ~/.codex/config.toml)")
  .option('--endpoint <url>', 'the collector the agent sends to', 'http://127.0.0.1:4318')
  .option('--http', 'Claude Code: HTTP hooks to the collector (POST /hooks/claude-code) where allowed (SessionStart stays a command hook)')
  .option('--token-env', 'with --http: send Authorization: Bearer $AGENTPULSE_TOKEN')
  .option('--traces', "also the agent's beta traces (Claude Code: CLAUDE_CODE_ENHANCED_TELEMETRY_BETA; Codex: trace_exporter)")
  .option('--dry-run', 'print the change and write nothing')
  .option('--remove', 'take out what init added (keeps everything else, and values you changed)')
  .addOption(new Option('--force', 'replace settings you set to other values (otherwise kept, with a warning)'))
  .addHelpText('after', `
Adds to the agent's own settings, keeping every setting and hook you have; a second run changes
nothing. Claude Code: the OTel environment (events and metrics to the collector) and a hook per
event that journals in a few ms (node …/bin/agentpulse-hook.js --db <abs path>). Codex: [otel]
exporter and metrics_exporter. Gemini CLI: telemetry.*.

Examples:
  $ agentpulse --db ~/agents.duckdb init claude-code
  $ agentpulse init claude-code --http --dry-run
  $ agentpulse init codex --endpoint http://127.0.0.1:4318
  $ agentpulse init gemini --user
  $ agentpulse init claude-code --remove`)
  .action(function (this: Command, tool: Tool, f: InitFlags) {
    const g = globalOptions(this);
    if (f.tokenEnv && !f.http) throw new CliError('--token-env goes with --http (command hooks need no token)');
    const file = tool === 'codex' ? (f.config ?? settingsPath('codex', true)) : (f.settings ?? settingsPath(tool, f.user === true));
    const before = readMaybe(file);
    const e = edit(tool, file, before, g.db, f);
    for (const w of e.warnings) process.stderr.write(`agentpulse: ${w}\n`);
    if (e.changes.length === 0) {
      print(f.remove ? `${file}: nothing of agentpulse's to remove` : `${file}: already set up for agentpulse (nothing changed)`);
      return;
    }
    if (f.dryRun) {
      print(`would change ${file}:\n${diff(before ?? '', e.text)}`);
      return;
    }
    writeAtomic(file, e.text);
    print(`${f.remove ? 'updated' : 'wrote'} ${file}:\n${e.changes.map((c) => `  ${c}`).join('\n')}`);
    if (!f.remove) print(nextSteps(tool, g.db, f));
  });
