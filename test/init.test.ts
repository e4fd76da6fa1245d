/** `agentpulse init`, run as a real process in a scratch project. */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from './build.js';

const run = promisify(execFile);

async function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repoRoot, 'bin', 'agentpulse.js'), ...args], { cwd, env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const project = (): string => mkdtempSync(join(tmpdir(), 'ap-init-'));

beforeAll(() => ensureBuilt(), 300_000);

describe('agentpulse init', () => {
  it('sets up a fresh project (.claude/settings.json), says what to do next, and a second run adds nothing', async () => {
    const dir = project();
    const r = await cli(dir, ['--db', 'agents.duckdb', 'init', 'claude-code']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/agentpulse --db agents.duckdb collect/);
    const file = join(dir, '.claude', 'settings.json');
    const first = readFileSync(file, 'utf8');
    const s = JSON.parse(first) as { hooks: Record<string, { hooks: { command: string }[] }[]> };
    // The hook runs the small bin by absolute path, with the store's absolute path: no npx, any cwd.
    expect(s.hooks.PostToolUse![0]!.hooks[0]!.command).toBe(`node ${join(repoRoot, 'bin', 'agentpulse-hook.js')} --db ${join(dir, 'agents.duckdb')}`);
    const again = await cli(dir, ['--db', 'agents.duckdb', 'init', 'claude-code']);
    expect(again.stdout).toMatch(/already set up/);
    expect(readFileSync(file, 'utf8')).toBe(first);
  });

  it("keeps the user's hooks and settings, and --remove leaves their file exactly as it was", async () => {
    const dir = project();
    mkdirSync(join(dir, '.claude'));
    const file = join(dir, '.claude', 'settings.json');
    const theirs = `${JSON.stringify({ hooks: { Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }] }, model: 'sonnet' }, null, 2)}\n`;
    writeFileSync(file, theirs);
    expect((await cli(dir, ['init', 'claude-code'])).code).toBe(0);
    const merged = JSON.parse(readFileSync(file, 'utf8')) as { model: string; hooks: Record<string, { hooks: { command: string }[] }[]> };
    expect(merged.model).toBe('sonnet');
    expect(merged.hooks.Stop!.map((g) => g.hooks[0]!.command)).toEqual(['say done', expect.stringContaining('agentpulse-hook.js')]);
    const removed = await cli(dir, ['init', 'claude-code', '--remove']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(theirs);
  });

  it('--dry-run prints the change and writes nothing; a broken settings file is refused untouched', async () => {
    const dir = project();
    const dry = await cli(dir, ['init', 'gemini', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would change .*\.gemini\/settings\.json:\n\+ \{/);
    expect(existsSync(join(dir, '.gemini', 'settings.json'))).toBe(false);
    mkdirSync(join(dir, '.claude'));
    writeFileSync(join(dir, '.claude', 'settings.json'), '{ "hooks": ');
    const bad = await cli(dir, ['init', 'claude-code']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/settings\.json is not valid JSON/);
    expect(readFileSync(join(dir, '.claude', 'settings.json'), 'utf8')).toBe('{ "hooks": ');
  });

  it("edits Codex's config.toml in $CODEX_HOME and takes it out again", async () => {
    const dir = project();
    const home = join(dir, 'codex-home');
    mkdirSync(home);
    writeFileSync(join(home, 'config.toml'), 'model = "o3"\n');
    const r = await cli(dir, ['init', 'codex'], { CODEX_HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/statsig/);
    expect(readFileSync(join(home, 'config.toml'), 'utf8')).toMatch(/\[otel\] # agentpulse\nexporter = \{ otlp-http = \{ endpoint = "http:\/\/127\.0\.0\.1:4318\/v1\/logs"/);
    expect((await cli(dir, ['init', 'codex', '--remove'], { CODEX_HOME: home })).code).toBe(0);
    expect(readFileSync(join(home, 'config.toml'), 'utf8')).toBe('model = "o3"\n');
  });
});
