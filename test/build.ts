import { execFileSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Child-process tests run the compiled JS; rebuild when sources are newer than dist/. */
export function ensureBuilt(): void {
  // `npm test` builds once before vitest starts. A rebuild from inside the run would rewrite dist/
  // while other test files' child processes import it (a module then misses an export, at random).
  if (process.env.AGENTPULSE_TEST_PREBUILT === '1') return;
  const marker = join(repoRoot, 'dist', 'instrumentation', 'register.js');
  const sources = ['instrumentation', 'store', 'cli', 'collector', 'examples', 'analyzer', 'dashboard', 'recovery', 'bench'].map((d) => newestMtime(join(repoRoot, d)));
  if (existsSync(marker) && statSync(marker).mtimeMs >= Math.max(...sources)) return;
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repoRoot, 'tsconfig.build.json')], { stdio: 'inherit' });
}
