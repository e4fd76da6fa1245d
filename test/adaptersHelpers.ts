import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { expect } from 'vitest';
import { openStore } from '../store/DuckDbStore.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const REGISTER = join(ROOT, 'dist/instrumentation/register.js');
export const FIXTURES = join(ROOT, 'test/fixtures/adapters');

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A throwaway project under `.tmp/` holding one fixture app, whose `node_modules` links package
 * names to other installed versions (`{ ai: 'ai-7' }`: the app imports `ai` and gets AI SDK 7,
 * installed beside AI SDK 5 under an alias). Everything else resolves from the repository's
 * `node_modules`, as for an app in a workspace. Returns the app's path and a cleanup.
 */
export function fixtureProject(app: string, links: Record<string, string>): { app: string; remove: () => void } {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'app-'));
  for (const [name, installed] of Object.entries(links)) {
    const at = join(dir, 'node_modules', name);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', installed), at, 'dir');
  }
  const path = join(dir, basename(app));
  copyFileSync(join(FIXTURES, app), path);
  return { app: path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The version of `pkg` an app at `app` (a fixture name or a path) gets when it imports it. */
export function versionFor(app: string, pkg: string): string {
  // Through the node_modules folders Node would search (a package's exports may hide its package.json).
  const dirs = createRequire(isAbsolute(app) ? app : join(FIXTURES, app)).resolve.paths(pkg) ?? [];
  const file = dirs.map((d) => join(d, pkg, 'package.json')).find((f) => existsSync(f));
  return file ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : 'missing';
}

/** Runs a fixture program (a name in test/fixtures/adapters, or a path) through the preload, with a fresh DuckDB file. */
export async function runThroughPreload(app: string, env: Record<string, string>): Promise<ChildResult & { db: string }> {
  const db = join(mkdtempSync(join(tmpdir(), 'ap-adapters-')), 'spans.duckdb');
  const child = spawn(process.execPath, ['--import', REGISTER, isAbsolute(app) ? app : join(FIXTURES, app)], {
    cwd: ROOT,
    // NODE_ENV=test would switch the Agents SDK's tracing off.
    env: { ...process.env, NODE_ENV: 'production', AGENTPULSE_DB: db, OTEL_SERVICE_NAME: 'adapters-test', AGENTPULSE_EXIT_FLUSH_TIMEOUT_MS: '30000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { code, stdout, stderr, db };
}

export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  operation: string | null;
  agent_name: string | null;
  provider: string | null;
  model: string | null;
  tool_name: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  error_type: string | null;
  status_code: string;
  scope_name: string | null;
  attributes: Record<string, unknown>;
  links: { trace_id: string; span_id: string }[];
}

/** Every stored span, oldest first, with attributes and links parsed. */
export async function readSpans(db: string): Promise<SpanRow[]> {
  const store = await openStore(db, { readOnly: true });
  try {
    const rows = await store.query(
      `SELECT trace_id, span_id, parent_span_id, name, operation, agent_name, provider, model, tool_name, input_tokens, output_tokens,
              cost_usd, error_type, status_code, scope_name, attributes, links FROM spans ORDER BY start_ns, name`,
    );
    return rows.map((r) => ({
      ...(r as unknown as SpanRow),
      attributes: JSON.parse(String(r.attributes)) as Record<string, unknown>,
      links: JSON.parse(String(r.links)) as SpanRow['links'],
    }));
  } finally {
    await store.close();
  }
}

export interface AppRun extends ChildResult {
  spans: SpanRow[];
  /** The run's DuckDB file, for queries beyond the spans. */
  db: string;
}

export interface AppJob {
  key: string;
  /** A fixture name or a path (see fixtureProject). */
  app: string;
  env?: Record<string, string>;
}

/** Runs fixture apps through the preload three at a time (two cores; each child starts a DuckDB writer) and reads back the spans of those that exited 0. */
export async function runApps(jobs: readonly AppJob[], env: Record<string, string>): Promise<Map<string, AppRun>> {
  const runs = new Map<string, AppRun>();
  const queue = [...jobs];
  const next = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const r = await runThroughPreload(job.app, { ...env, ...job.env });
      runs.set(job.key, { code: r.code, stdout: r.stdout, stderr: r.stderr, db: r.db, spans: r.code === 0 ? await readSpans(r.db).catch(() => []) : [] });
    }
  };
  await Promise.all([next(), next(), next()]);
  return runs;
}

/** Lines agentpulse or Node would print about the preload into the host app's streams. */
export const OURS = /agentpulse|DEP0205|module\.register|registerHooks|ExperimentalWarning|DeprecationWarning/;

/** The spans of an app run that exited 0, printed only its own "ok" and nothing of ours on stderr. */
export function cleanSpans(runs: Map<string, AppRun>, key: string): SpanRow[] {
  const r = runs.get(key)!;
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe('ok\n');
  expect(r.stderr).not.toMatch(OURS);
  return r.spans;
}

/**
 * Span ids → spans, the chain of ancestors of a span (nearest first), and the spans depth first
 * (siblings in start order): a child started in the same microsecond as its parent still comes after it.
 */
export function family(spans: readonly SpanRow[]): { byId: Map<string, SpanRow>; ancestors: (s: SpanRow) => SpanRow[]; tree: () => SpanRow[] } {
  const byId = new Map(spans.map((s) => [s.span_id, s]));
  const ancestors = (s: SpanRow): SpanRow[] => {
    const p = s.parent_span_id ? byId.get(s.parent_span_id) : undefined;
    return p ? [p, ...ancestors(p)] : [];
  };
  const tree = (): SpanRow[] => {
    const children = (parent: string | null): SpanRow[] =>
      spans.filter((s) => (parent === null ? !s.parent_span_id || !byId.has(s.parent_span_id) : s.parent_span_id === parent));
    const walk = (level: SpanRow[]): SpanRow[] => level.flatMap((s) => [s, ...walk(children(s.span_id))]);
    return walk(children(null));
  };
  return { byId, ancestors, tree };
}
