import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSpoolSegment, spoolDirFor } from '../store/spool.js';
import { ensureBuilt, repoRoot } from './build.js';
import { FLEET_AGENTS } from '../examples/fleet.js';
import { makeSpan } from './spanFactory.js';

/**
 * Runs every command of the CLI for real (not only --help), against one demo store, and checks
 * that docs/configuration.md documents every command and subcommand `--help` lists.
 */
const bin = join(repoRoot, 'bin', 'agentpulse.js');
let dir: string;
let db: string;
const children: ChildProcess[] = [];

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Out> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...opts.env }, maxBuffer: 64 << 20, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

const json = <T = any>(o: Out): T => {
  expect(o.code, o.stderr).toBe(0);
  return JSON.parse(o.stdout) as T;
};

/** Starts a long-running command and resolves with the first http:// URL it prints. */
function serve(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL from ${args.join(' ')}: ${out}`)), 30_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

function commandsOf(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1];
  if (!section) return [];
  return [...section.split(/^\S/m)[0].matchAll(/^\s{2}([a-z][a-z-]*)/gm)].map((m) => m[1]).filter((n) => n !== 'help');
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ap-cmds-'));
  db = join(dir, 'agentpulse.duckdb');
  const demo = await cli(['demo', '--seed', '3', '--tasks', '600', '--json']);
  expect(demo.code, demo.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const c of children) await stop(c);
  rmSync(dir, { recursive: true, force: true });
});

describe('every CLI command, run for real', () => {
  it('reads: sql, query, analyze, alerts, analytics, top, health, sources', async () => {
    expect(json(await cli(['sql', 'select count(*) AS n from spans', '--json']))[0].n).toBeGreaterThan(5000);
    expect(json<unknown[]>(await cli(['query', 'agent_summary', '--json'])).length).toBe(Object.keys(FLEET_AGENTS).length);
    const report = json(await cli(['analyze', '--since', '24h', '--json']));
    expect(report.metrics.length).toBeGreaterThan(0);
    expect(Array.isArray(json(await cli(['alerts', '--json'])))).toBe(true);
    expect(json(await cli(['analytics', '--since', '7d', '--json']))).toBeTruthy();
    expect(json(await cli(['top', '--once', '--json', '--range', '7d']))).toBeTruthy();
    const sources = json<{ services: { service: string; spans: number; modelCalls: number; filled: { model: number | null } }[] }>(await cli(['sources', '--json']));
    expect(sources.services.length).toBeGreaterThan(0);
    expect(sources.services.reduce((a, s) => a + s.spans, 0)).toBeGreaterThan(5000);
    expect(sources.services.some((s) => s.modelCalls > 0 && s.filled.model === 1)).toBe(true);
    const sourcesText = await cli(['sources']);
    expect(sourcesText.stdout).toMatch(/dialects/);
    const health = await cli(['health', '--max-lag', '2d', '--json']);
    expect(health.code, health.stdout + health.stderr).toBe(0);
  }, 120_000);

  it('learning: suggest-team, patterns, experiments, feedback', async () => {
    expect(json(await cli(['suggest-team', '--task-type', 'bugfix', '--json', '--seed', '1']))).toBeTruthy();
    expect(json(await cli(['patterns', '--json']))).toBeTruthy();
    expect(json(await cli(['experiments', '--json']))).toBeTruthy();
    const [{ t }] = json(await cli(['sql', "select trace_id AS t from spans where operation = 'task' limit 1", '--json']));
    const fb = await cli(['feedback', String(t), '--label', 'failure', '--json']);
    expect(fb.code, fb.stderr).toBe(0);
    const [{ n }] = json(await cli(['sql', `select count(*) AS n from feedback where trace_id = '${t}'`, '--json']));
    expect(n).toBe(1);
  }, 120_000);

  it('writes: hook, ingest-spool, export, retention', async () => {
    const hook = await cli(['hook'], { input: JSON.stringify({ hook_event_name: 'SessionStart', session_id: 'cli-test-session', cwd: dir }) });
    expect(hook.code, hook.stderr).toBe(0);
    const spans = Array.from({ length: 25 }, () => makeSpan());
    writeSpoolSegment(spoolDirFor(db), spans);
    const ingest = json(await cli(['ingest-spool', '--json']));
    expect(ingest.spans).toBe(25);
    const out = join(dir, 'parquet');
    const exp = json(await cli(['export', '--parquet', out, '--json']));
    expect(exp.spans).toBeGreaterThan(5000);
    expect(readdirSync(out).some((d) => d.startsWith('day='))).toBe(true);
    const ret = json(await cli(['retention', '--keep', '3650d', '--json']));
    expect(ret.spans).toBe(0); // nothing is ten years old; the command ran and checkpointed
  }, 120_000);

  it('serves: collect (with analyze and sql through --url), dashboard, run', async () => {
    const collectorDb = join(dir, 'collector.duckdb');
    const { url, child } = await serve(['--db', collectorDb, 'collect', '--port', '0']);
    const body = JSON.stringify({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cli-collect' } }] }, scopeSpans: [{ scope: { name: 't' }, spans: [
        { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'invoke_agent x', kind: 1, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000500000000', attributes: [{ key: 'gen_ai.agent.name', value: { stringValue: 'x' } }] },
      ] }] }],
    });
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    expect(json(await cli(['--url', url, 'sql', "select count(*) AS n from spans where service_name = 'cli-collect'", '--json']))[0].n).toBe(1);
    expect(json(await cli(['--url', url, 'analyze', '--since', '24h', '--json'])).version).toBeTruthy();
    const dash = await serve(['--url', url, 'dashboard', '--port', '0']);
    const summary = await fetch(`${dash.url}/api/summary?range=all`);
    expect(summary.status).toBe(200);
    expect(await stop(dash.child)).not.toBe(null);
    expect(await stop(child)).toBe(0);

    const runDb = join(dir, 'run.duckdb');
    const run = await cli(['--db', runDb, 'run', '--port', '0', '--', process.execPath, join(repoRoot, 'test', 'fixtures', 'plain-app.mjs')], { env: { SPANS: '20' } });
    expect(run.code, run.stderr).toBe(0);
    expect(json(await cli(['--db', runDb, 'sql', 'select count(*) AS n from spans', '--json']))[0].n).toBe(40);
  }, 120_000);
});

describe('docs/configuration.md', () => {
  it('documents every command and subcommand the CLI lists', async () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'configuration.md'), 'utf8');
    const top = commandsOf((await cli(['--help'])).stdout);
    expect(top.length).toBeGreaterThanOrEqual(19);
    for (const c of top) {
      expect(doc, c).toContain(`### \`agentpulse ${c}\``);
      for (const s of commandsOf((await cli([c, '--help'])).stdout)) expect(doc, `${c} ${s}`).toContain(`#### \`agentpulse ${c} ${s}\``);
    }
  }, 120_000);
});
