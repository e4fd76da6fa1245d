import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { ensureBuilt, repoRoot } from './build.js';

const dirs: string[] = [];
function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'ap-preload-'));
  dirs.push(d);
  return join(d, 'agents.duckdb');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
beforeAll(() => ensureBuilt());

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node --import agentpulse/register <fixture>` from the repo root, as a user would. */
function startApp(fixture: string, env: Record<string, string>, onStdout?: (chunk: string, kill: (s: NodeJS.Signals) => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'agentpulse/register', join(repoRoot, 'test', 'fixtures', fixture)], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function readSpans(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const store = await DuckDbStore.open(db); // writable: also ingests anything spooled
  try {
    return await store.query(sql);
  } finally {
    await store.close();
  }
}

describe('agentpulse/register preload', () => {
  it('records correct spans from an unmodified program into the embedded DuckDB store', async () => {
    const db = tempDb();
    const run = await startApp('plain-app.mjs', { AGENTPULSE_DB: db, OTEL_SERVICE_NAME: 'plain', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test', SPANS: '200' });
    expect(run.code, run.stderr).toBe(0);
    // Nothing of ours in the app's output, on any Node major (Node 26 deprecates module.register: DEP0205).
    expect(run.stderr).toBe('');
    const rows = await readSpans(
      db,
      `SELECT operation, provider, model, service_name, status_code, error_type, count(*) AS n, count(parent_span_id) AS with_parent,
              sum(input_tokens) AS tin, any_value(json_extract_string(resource_attributes, '$."deployment.environment"')) AS env
       FROM spans GROUP BY ALL ORDER BY operation, status_code`,
    );
    expect(rows).toEqual([
      { operation: 'chat', provider: 'openai', model: 'gpt-4o', service_name: 'plain', status_code: 'UNSET', error_type: null, n: 200, with_parent: 200, tin: 200 * 10 + (199 * 200) / 2, env: 'test' },
      { operation: 'invoke_agent', provider: null, model: null, service_name: 'plain', status_code: 'ERROR', error_type: 'timeout', n: 20, with_parent: 0, tin: null, env: 'test' },
      { operation: 'invoke_agent', provider: null, model: null, service_name: 'plain', status_code: 'UNSET', error_type: null, n: 180, with_parent: 0, tin: null, env: 'test' },
    ]);
    // Every chat span's parent is an agent span of the same trace.
    const [{ orphans }] = await readSpans(db, `SELECT count(*) AS orphans FROM spans c LEFT JOIN spans p ON c.parent_span_id = p.span_id AND c.trace_id = p.trace_id WHERE c.parent_span_id IS NOT NULL AND p.span_id IS NULL`);
    expect(orphans).toBe(0);
  });

  it('stores every span of a run that hands full batches to the writer mid-run and then lets its event loop drain', async () => {
    // 6 000 spans: full 2048-span batches reach the writer while the app runs; the rest is sealed at exit.
    const db = tempDb();
    const run = await startApp('plain-app.mjs', { AGENTPULSE_DB: db, SPANS: '3000' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const [{ n, ids }] = await readSpans(db, 'SELECT count(*) AS n, count(DISTINCT span_id) AS ids FROM spans');
    expect({ n, ids }).toEqual({ n: 6000, ids: 6000 });
  });

  it('records nothing and creates no file with OTEL_SDK_DISABLED=true', async () => {
    const db = tempDb();
    const run = await startApp('plain-app.mjs', { AGENTPULSE_DB: db, OTEL_SDK_DISABLED: 'true', SPANS: '50' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('done');
    expect(existsSync(db)).toBe(false);
  });

  it('loses no ended span when the process is stopped with SIGTERM mid-run', async () => {
    const db = tempDb();
    let signalled = false;
    const run = await startApp('endless-app.mjs', { AGENTPULSE_DB: db }, (out, kill) => {
      if (out.length > 17 * 3000 && !signalled) {
        signalled = true;
        kill('SIGTERM');
      }
    });
    expect(run.signal).toBe('SIGTERM');
    const ended = run.stdout.split('\n').filter((l) => l.length === 16);
    expect(ended.length).toBeGreaterThanOrEqual(3000);
    const rows = await readSpans(db, 'SELECT span_id FROM spans');
    const stored = new Set(rows.map((r) => r.span_id));
    const missing = ended.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
  });

  it('spools from the host thread when the writer cannot commit before the exit deadline', async () => {
    const db = tempDb();
    let signalled = false;
    // A 1 ms deadline: the writer (which waits 10 ms to group batches) can never make it.
    const run = await startApp('endless-app.mjs', { AGENTPULSE_DB: db, AGENTPULSE_EXIT_FLUSH_TIMEOUT_MS: '1' }, (out, kill) => {
      if (out.length > 17 * 2000 && !signalled) {
        signalled = true;
        kill('SIGTERM');
      }
    });
    expect(run.signal).toBe('SIGTERM');
    expect(run.stderr).toMatch(/did not finish in time at exit; \d+ spans were spooled/);
    const ended = run.stdout.split('\n').filter((l) => l.length === 16);
    const stored = new Set((await readSpans(db, 'SELECT span_id FROM spans')).map((r) => r.span_id));
    expect(ended.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('loses nothing when two instrumented processes write to the same file (the second spools)', async () => {
    const db = tempDb();
    const env = { AGENTPULSE_DB: db, MAX_SPANS: '20000', AGENTPULSE_LOCK_RETRY_MS: '200' };
    const [a, b] = await Promise.all([startApp('endless-app.mjs', env), startApp('endless-app.mjs', env)].map((p) => p));
    // endless-app stops producing at MAX_SPANS and then exits on its own.
    for (const r of [a, b]) expect(r.code, r.stderr).toBe(0);
    const ended = [...a.stdout.split('\n'), ...b.stdout.split('\n')].filter((l) => l.length === 16);
    expect(ended.length).toBe(40000);
    const stored = new Set((await readSpans(db, 'SELECT span_id FROM spans')).map((r) => r.span_id));
    expect(ended.filter((id) => !stored.has(id))).toEqual([]);
    // The process that found the file locked said so, once: the spool path really ran.
    const notices = (a.stderr + b.stderr).match(/is locked by another process/g) ?? [];
    expect(notices.length).toBe(1);
  });

  it('an exit deadline that passes while the writer is inside a statement neither aborts the app nor loses spans', async () => {
    // A 300 ms exit deadline with two writers on one file: the holder is often still committing
    // (or ingesting the other's spool) when the deadline passes. Exiting then used to abort the
    // process from inside the native binding ("terminate called after throwing … Napi::Error").
    for (let round = 0; round < 3; round++) {
      const db = tempDb();
      const env = { AGENTPULSE_DB: db, MAX_SPANS: '10000', AGENTPULSE_LOCK_RETRY_MS: '200', AGENTPULSE_EXIT_FLUSH_TIMEOUT_MS: '300' };
      const runs = await Promise.all([startApp('endless-app.mjs', env), startApp('endless-app.mjs', env)]);
      for (const r of runs) {
        expect(r.stderr).not.toMatch(/terminate called|Napi::Error/);
        expect(r.code, r.stderr).toBe(0);
      }
      const ended = runs.flatMap((r) => r.stdout.split('\n')).filter((l) => l.length === 16);
      expect(ended.length).toBe(20000);
      const stored = new Set((await readSpans(db, 'SELECT span_id FROM spans')).map((r) => r.span_id));
      expect(ended.filter((id) => !stored.has(id))).toEqual([]);
    }
  });
});
