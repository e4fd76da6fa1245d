#!/usr/bin/env node
// Claude Code's command hook, the fast path: journals the hook event from stdin and exits (see dist/cli/hookMain.js).
import module from 'node:module';

// Node 22+: reuse compiled code across runs (a hook runs before every tool call).
module.enableCompileCache?.();
const { hookMain } = await import(new URL('../dist/cli/hookMain.js', import.meta.url).href).catch(() => {
  process.stderr.write('agentpulse hook: not built yet; run `npm run build` in the agentpulse folder (the tool call was not blocked)\n');
  process.exit(1);
});
process.exitCode = await hookMain(process.argv.slice(2));
