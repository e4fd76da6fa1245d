import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from './build.js';
import { FLEET_AGENTS } from '../examples/fleet.js';

/** Every agent role of the demo fleet appears in its summary. */
const ROLES = Object.keys(FLEET_AGENTS).length;

const run = promisify(execFile);
const bin = join(repoRoot, 'bin', 'agentpulse.js');
let dir: string;
let db: string;

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ap-cli-'));
  db = join(dir, 'agentpulse.duckdb');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('agentpulse CLI', () => {
  it('demo writes at least 50 000 spans and `sql` agrees with its count', async () => {
    const demo = await cli(['demo', '--json']);
    expect(demo.code, demo.stderr).toBe(0);
    const report = JSON.parse(demo.stdout) as { spans_in_store: number; simulated: { spans: number }; agents: { agent: string; p95_ms: number }[] };
    expect(report.spans_in_store).toBeGreaterThanOrEqual(50_000);
    expect(report.spans_in_store).toBe(report.simulated.spans);
    expect(report.agents.length).toBe(ROLES);
    const sql = await cli(['sql', 'select count(*) as n from spans', '--json']);
    expect(sql.code, sql.stderr).toBe(0);
    expect(JSON.parse(sql.stdout)).toEqual([{ n: report.spans_in_store }]);
  }, 120_000);

  it('refuses to add a second fleet to a database that holds spans unless told (--fresh replaces, --append adds)', async () => {
    const db = join(dir, 'twice.duckdb');
    const count = async (): Promise<number> => JSON.parse((await cli(['--db', db, 'sql', 'select count(*) n from spans', '--json'])).stdout)[0].n;
    expect((await cli(['--db', db, 'demo', '--seed', '7', '--tasks', '100'])).code).toBe(0);
    const first = await count();
    const again = await cli(['--db', db, 'demo', '--seed', '7', '--tasks', '100']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`already holds ${first} spans; pass --fresh`);
    expect(await count()).toBe(first);
    expect((await cli(['--db', db, 'demo', '--seed', '7', '--tasks', '100', '--fresh'])).code).toBe(0);
    expect(await count()).toBe(first);
    expect((await cli(['--db', db, 'demo', '--seed', '8', '--tasks', '100', '--append'])).code).toBe(0);
    expect(await count()).toBeGreaterThan(first);
  }, 120_000);

  it('is deterministic for a seed', async () => {
    const a = join(dir, 'a.duckdb');
    const b = join(dir, 'b.duckdb');
    const q = "select count(*) n, sum(input_tokens) t, count(*) filter (where status_code='ERROR') e from spans";
    await cli(['--db', a, 'demo', '--seed', '7', '--tasks', '300']);
    await cli(['--db', b, 'demo', '--seed', '7', '--tasks', '300']);
    const ra = await cli(['--db', a, 'sql', q, '--json']);
    const rb = await cli(['--db', b, 'sql', q, '--json']);
    expect(ra.stdout).toBe(rb.stdout);
  }, 60_000);

  it('prints tables, CSV and JSON, and runs named queries with parameters', async () => {
    const table = await cli(['sql', "select 'x' as a, 1 as b"]);
    expect(table.stdout).toMatch(/a\s+b/);
    const csv = await cli(['sql', "select 'x,y' as a, 1 as b", '--csv']);
    expect(csv.stdout.trim()).toBe('a,b\n"x,y",1');
    const list = await cli(['query', '--list', '--json']);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((q) => q.name)).toContain('agent_summary');
    const summary = await cli(['query', 'agent_summary', '--param', 'since_ns=0', '--json']);
    expect(summary.code, summary.stderr).toBe(0);
    expect((JSON.parse(summary.stdout) as unknown[]).length).toBe(ROLES);
  }, 60_000);

  it('explains missing databases, bad SQL, unknown queries and parameters in one line with a non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [['--db', join(dir, 'nope.duckdb'), 'sql', 'select 1'], /no agentpulse database at .*nope\.duckdb/],
      [['sql', 'select 1 +'], /syntax error/i],
      // Not a SELECT at all: the read-only guard says so, and how to run maintenance SQL.
      [['sql', 'selec 1'], /only a single read-only SELECT\/WITH query.*takes --write/],
      [['sql', "copy spans to 'out.csv'"], /only a single read-only SELECT\/WITH query.*takes --write/],
      [['query', 'nope'], /no named query "nope"; known: .*agent_summary/],
      [['query', 'agent_summary', '--param', 'bogus=1'], /has no parameter "bogus"/],
      [['sql', 'select * from no_such_table'], /no_such_table/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^agentpulse: /);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace without --debug
    }
  }, 60_000);

  it('says who holds a locked file and what to do when it serves nothing', async () => {
    const { spawn } = await import('node:child_process');
    const holder = spawn(process.execPath, ['--input-type=module', '-e',
      `import { DuckDBInstance } from '@duckdb/node-api'; const i = await DuckDBInstance.create(${JSON.stringify(db)}); await i.connect(); console.log('locked'); setInterval(() => {}, 1000);`,
    ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    try {
      const r = await cli(['sql', 'select 1'], { AGENTPULSE_LOCK_WAIT_MS: '0' });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`locked by PID ${holder.pid}.*serves no agentpulse API.*dashboard`));
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);

  it('has --help with an example for every command', async () => {
    const root = await cli(['--help']);
    const commandsSection = root.stdout.split(/^Commands:$/m)[1].split(/^\S/m)[0];
    const names = [...commandsSection.matchAll(/^\s{2}([a-z][a-z-]*)/gm)].map((m) => m[1]).filter((n) => n !== 'help');
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      const h = await cli([name, '--help']);
      expect(h.code, name).toBe(0);
      expect(h.stdout, name).toMatch(/^\s*\$ .*agentpulse/m); // an example line, possibly piping into agentpulse
    }
  }, 120_000);
});
