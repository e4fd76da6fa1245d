/** Shared helpers for the dashboard, top and health tests. */
import { spawn, spawnSync } from 'node:child_process';
import { ensureBuilt } from './build.js';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'bin/agentpulse.js');

/**
 * CLI tests run the compiled CLI. Under `npm test` dist/ is built once before the run; rebuilding
 * here (it used to, once per test file) rewrote dist/ while other files' child processes were
 * importing it, and a module then missed an export at random. Outside it, build when stale.
 */
export function build(): void {
  ensureBuilt();
  for (const f of ['dist/cli/main.js', 'dist/dashboard/routes.js', 'dist/cli/commands/top.js']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`the build did not produce ${f}; run \`npm run build\``);
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: opts.timeout ?? 60_000, env: { ...process.env, ...opts.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** OTLP/JSON request with `n` spans for `agent` starting now, `errors` of them failing with `errorType`. */
export function otlpJson(agent: string, n: number, errors = 0, errorType = 'timeout'): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const hex = (len: number): string => Array.from({ length: len }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const traceId = hex(32);
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId,
    spanId: hex(16),
    name: `invoke_agent ${agent}`,
    kind: 1,
    startTimeUnixNano: String(now + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(now + BigInt(i) * 1_000_000n + 250_000_000n),
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } },
      { key: 'gen_ai.agent.name', value: { stringValue: agent } },
      ...(i < errors ? [{ key: 'error.type', value: { stringValue: errorType } }] : []),
    ],
    status: { code: i < errors ? 2 : 1 },
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'late' } }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] });
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Like `cli` but without blocking this process's event loop (needed when the test itself serves the collector). */
export function cliAsync(args: string[], opts: { timeout?: number } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 60_000);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolveRun({ status, stdout, stderr });
    });
  });
}
