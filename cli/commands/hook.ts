import { Command } from 'commander';
import { hookMain } from '../hookMain.js';
import { CliError } from '../errors.js';
import { globalOptions } from '../globalOptions.js';

/**
 * `agentpulse hook`: the Claude Code hook adapter. bin/agentpulse.js runs it through the fast path
 * (cli/hookMain.ts) without loading the CLI; this entry gives it a place in `--help`.
 */
export const hookCommand = new Command('hook')
  .description('journal a Claude Code hook event (JSON on stdin) in a few ms; the store\'s next writer turns it into spans')
  .addHelpText('after', `
A session is a trace; a prompt a turn (invoke_agent claude-code); tools are execute_tool spans with
their permission waits; subagents are invoke_agent spans holding their own tool calls; model calls
come from the transcript. Set it up with \`agentpulse init claude-code\`, or by hand in
.claude/settings.json, one entry per event (without npx: the small bin agentpulse-hook, by path):
  { "hooks": { "PreToolUse": [ { "matcher": "*", "hooks": [ { "type": "command",
      "command": "node /abs/node_modules/agentpulse/bin/agentpulse-hook.js --db /abs/agents.duckdb" } ] } ] } }
  $ echo '{"hook_event_name":"SessionStart","session_id":"s1"}' | agentpulse --db agents.duckdb hook
Prints nothing on success; bad input or a full disk is one line on stderr and exit code 1 (never 2,
which would block the agent). See docs/adapters.md.`)
  .action(async function (this: Command) {
    const g = globalOptions(this);
    const code = await hookMain(['--db', g.db, ...(g.json ? ['--json'] : [])]);
    if (code !== 0) throw new CliError('hook failed', { exitCode: code, reported: true });
  });
