import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../store/DuckDbStore.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const REGISTER = join(ROOT, 'dist/instrumentation/register.js');
export const FIXTURES = join(ROOT, 'test/fixtures/adapters');

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a fixture program through the preload, with a fresh DuckDB file. */
export async function runThroughPreload(app: string, env: Record<string, string>): Promise<ChildResult & { db: string }> {
  const db = join(mkdtempSync(join(tmpdir(), 'ap-adapters-')), 'spans.duckdb');
  const child = spawn(process.execPath, ['--import', REGISTER, join(FIXTURES, app)], {
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
