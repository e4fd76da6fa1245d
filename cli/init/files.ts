import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file's text, or null when it does not exist. */
export function readMaybe(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** Writes whole or not at all: a temporary file beside it, then a rename; creates the folder. */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.agentpulse-${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** The folder of the agentpulse package this code runs from (the one holding its package.json). */
export function packageRoot(from = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'agentpulse') return dir;
    } catch {
      /* not here */
    }
    if (dirname(dir) === dir) throw new Error('cannot find the agentpulse package folder');
  }
}

/** A shell word: as is when plain, else single-quoted. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command Claude Code runs for each hook: the small bin by absolute path (no npx), with the store. */
export function hookCommand(db: string): string {
  return `node ${shellQuote(join(packageRoot(), 'bin', 'agentpulse-hook.js'))} --db ${shellQuote(resolve(db))}`;
}

/** Where each tool keeps its settings: the project's (cwd) or the user's. */
export function settingsPath(tool: 'claude-code' | 'gemini' | 'codex', user: boolean, env: NodeJS.ProcessEnv = process.env): string {
  if (tool === 'codex') return join(env.CODEX_HOME || join(homedir(), '.codex'), 'config.toml');
  const folder = tool === 'claude-code' ? '.claude' : '.gemini';
  return join(user ? homedir() : process.cwd(), folder, 'settings.json');
}
