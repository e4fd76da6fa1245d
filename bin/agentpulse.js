#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('agentpulse: not built yet; run `npm run build` in the agentpulse folder\n');
  process.exit(1);
}
await import(main);
