#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// Node 22+: reuse compiled code across runs, for a CLI that starts like node.
module.enableCompileCache?.();

const args = process.argv.slice(2);
/** The command word: the first argument that is neither a global option nor its value. */
function commandWord() {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--db' || a === '--url' || a === '--store') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

// `agentpulse hook` runs before every tool call of Claude Code: it skips the CLI and its imports.
const fast = commandWord() === 'hook' && !args.includes('--url') && !args.includes('--store');
const main = fileURLToPath(new URL(fast ? '../dist/cli/hookMain.js' : '../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('agentpulse: not built yet; run `npm run build` in the agentpulse folder\n');
  process.exit(1);
}
if (fast) process.exitCode = await (await import(main)).hookMain(args);
else await import(main);
