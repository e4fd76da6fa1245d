import { Command } from 'commander';
import { resolveConfig } from '../../instrumentation/config.js';
import { HookInputError, runHook } from '../../instrumentation/adapters/claudeCode.js';
import { CliError } from '../errors.js';
import { globalOptions, print } from '../globalOptions.js';
import { formatJson } from '../output.js';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `agentpulse hook`: the Claude Code hook adapter. Reads one hook event on stdin and records spans.
 * Prints nothing on success (some hook events add stdout to Claude's context); failures exit 1,
 * never 2, so a broken hook never blocks the tool call.
 */
export const hookCommand = new Command('hook')
  .description('record a Claude Code hook event (JSON on stdin) as spans: a session is a trace, tools are execute_tool spans')
  .addHelpText('after', `
Example (.claude/settings.json; repeat the entry for PreToolUse, PostToolUse, Stop, SubagentStop,
UserPromptSubmit, Notification, PreCompact, SessionEnd):
  { "hooks": { "SessionStart": [ { "hooks": [ { "type": "command", "command": "npx agentpulse hook" } ] } ] } }
  $ echo '{"hook_event_name":"SessionStart","session_id":"s1"}' | agentpulse --db agents.duckdb hook`)
  .action(async function (this: Command) {
    const g = globalOptions(this);
    const c = resolveConfig();
    try {
      const r = await runHook(await readStdin(), { db: g.db, captureContent: c.captureContent, contentMaxChars: c.contentMaxChars });
      if (g.json) print(formatJson(r));
    } catch (err) {
      if (err instanceof HookInputError) throw new CliError(`hook: ${err.message}`, { exitCode: 1, cause: err });
      throw new CliError(`hook: ${err instanceof Error ? err.message.split('\n')[0] : String(err)} (the tool call was not blocked)`, { exitCode: 1, cause: err });
    }
  });
