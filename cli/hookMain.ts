/**
 * The command hook's fast path: `agentpulse-hook [--db FILE]` (and `agentpulse [--db FILE] hook`,
 * which bin/agentpulse.js routes here before loading the CLI). Reads one Claude Code hook event on
 * stdin, journals it (fsynced) beside the store and exits — no DuckDB, no OTel SDK, no command
 * framework, so Claude Code waits a few milliseconds more than for `node -e 0`. The spans are built
 * when the store's next writer ingests the journal (store/hooks/hookIngest.ts).
 * Prints nothing on success (some hook events add stdout to Claude's context); a failure is one
 * line on stderr and exit code 1, never 2 (which would block the agent).
 */
import { resolveConfig } from '../instrumentation/config.js';
import { HookInputError } from '../store/hooks/hookEvent.js';
import { recordHookEvent } from '../store/hooks/recordHook.js';

const USAGE = `Usage: agentpulse-hook [--db FILE] [--json]

Records one Claude Code hook event (JSON on stdin) for agentpulse: journals it beside the store
(FILE.hooks/) and exits. Whatever opens the store next as its writer (agentpulse collect, sql,
analyze, dashboard, or an app with the embedded store) turns the journal into spans.

  --db FILE   the trace store (default: $AGENTPULSE_DB or ./agentpulse.duckdb)
  --json      print what was journalled

Example:
  $ echo '{"hook_event_name":"SessionStart","session_id":"s1"}' | agentpulse --db agents.duckdb hook
  $ agentpulse --db agents.duckdb sql "select name, agent_name from spans"   # ingests the journal first

In .claude/settings.json (or run \`agentpulse init claude-code\`):
  { "hooks": { "PreToolUse": [ { "matcher": "*", "hooks": [ { "type": "command",
      "command": "node /abs/path/node_modules/agentpulse/bin/agentpulse-hook.js --db /abs/agents.duckdb" } ] } ] } }
`;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Options the fast path understands: the CLI's global `--db`, `--json` and `--debug`, and the `hook` word itself. */
function parseArgs(argv: readonly string[]): { db?: string; json: boolean; help: boolean; error?: string } {
  const out: { db?: string; json: boolean; help: boolean; error?: string } = { json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === 'hook' || a === '--debug') continue;
    if (a === '--json') out.json = true;
    else if (a === '-h' || a === '--help') out.help = true;
    else if (a === '--db') out.db = argv[++i];
    else if (a.startsWith('--db=')) out.db = a.slice(5);
    else out.error = `unknown option ${a}`;
  }
  if (out.db === '') out.error = '--db needs a file';
  return out;
}

/** Runs one hook call; resolves with the exit code. */
export async function hookMain(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.error) {
    process.stderr.write(`agentpulse hook: ${args.error} (see --help; the tool call was not blocked)\n`);
    return 1;
  }
  try {
    const c = resolveConfig({ dbPath: args.db });
    const r = recordHookEvent(await readStdin(), { db: c.dbPath, captureContent: c.captureContent, contentMaxChars: c.contentMaxChars });
    if (args.json) process.stdout.write(`${JSON.stringify({ event: r.event, journalled: r.path })}\n`);
    return 0;
  } catch (err) {
    const msg = err instanceof HookInputError ? err.message : `could not journal the event: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    process.stderr.write(`agentpulse hook: ${msg} (the tool call was not blocked)\n`);
    return 1;
  }
}
