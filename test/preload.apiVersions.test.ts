import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { ensureBuilt, repoRoot } from './build.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
beforeAll(() => ensureBuilt());

/**
 * A project of its own in a temp folder: agentpulse installed beside the app's own copy of
 * `@opentelemetry/api` (`apiDir`), and an app that makes its spans through that copy.
 */
function appWithApi(apiDir: string): string {
  const app = mkdtempSync(join(tmpdir(), 'ap-api-version-'));
  dirs.push(app);
  mkdirSync(join(app, 'node_modules', '@opentelemetry'), { recursive: true });
  symlinkSync(repoRoot, join(app, 'node_modules', 'agentpulse'), 'dir');
  symlinkSync(apiDir, join(app, 'node_modules', '@opentelemetry', 'api'), 'dir');
  cpSync(join(repoRoot, 'test', 'fixtures', 'plain-app.mjs'), join(app, 'app.mjs'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pinned-api-app', private: true, type: 'module' }));
  return app;
}

/** The alias package of a released API version, e.g. otel-api-1-10 (devDependencies). */
function releasedApi(alias: string): string {
  return realpathSync(join(repoRoot, 'node_modules', alias));
}

function run(app: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'agentpulse/register', 'app.mjs'], { cwd: app, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function countSpans(db: string): Promise<{ n: number; with_parent: number }> {
  const store = await DuckDbStore.open(db);
  try {
    const [row] = await store.query('SELECT count(*) AS n, count(parent_span_id) AS with_parent FROM spans');
    return row as { n: number; with_parent: number };
  } finally {
    await store.close();
  }
}

describe('agentpulse/register with the app\'s own @opentelemetry/api', () => {
  for (const [version, alias] of [
    ['1.8.0', 'otel-api-1-8'],
    ['1.9.0', 'otel-api-1-9-0'],
    ['1.10.0', 'otel-api-1-10'],
  ] as const) {
    it(`records every span an app pinned to ${version} makes, with parents, and warns about nothing`, async () => {
      const apiDir = releasedApi(alias);
      expect(JSON.parse(readFileSync(join(apiDir, 'package.json'), 'utf8')).version).toBe(version);
      const app = appWithApi(apiDir);
      const db = join(app, 'agents.duckdb');
      const r = await run(app, { AGENTPULSE_DB: db, SPANS: '100' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('done');
      expect(r.stderr).toBe('');
      expect(await countSpans(db)).toEqual({ n: 200, with_parent: 100 });
    });
  }

  it('says once on stderr, with the fix, when the app\'s copy cannot accept any provider we can register', async () => {
    // A prerelease accepts only its exact version, which no other copy in the process has.
    const apiDir = mkdtempSync(join(tmpdir(), 'ap-api-rc-'));
    dirs.push(apiDir);
    cpSync(releasedApi('otel-api-1-10'), apiDir, { recursive: true });
    const patch = (dir: string): void => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) patch(p);
        else if (/\.(c|m)?js$|package\.json$/.test(f)) writeFileSync(p, readFileSync(p, 'utf8').replaceAll('1.10.0', '1.11.0-rc.0'));
      }
    };
    patch(apiDir);
    const app = appWithApi(apiDir);
    const r = await run(app, { AGENTPULSE_DB: join(app, 'agents.duckdb'), SPANS: '10' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('done');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('agentpulse:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/@opentelemetry\/api 1\.11\.0-rc\.0 .* will not be recorded.*Fix: use one 1\.x release of @opentelemetry\/api/);
  });
});
