import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockHolderPath } from '../store/lockHolder.js';
import { ensureBuilt, repoRoot } from './build.js';

const bin = join(repoRoot, 'bin', 'agentpulse.js');
let dir: string;
let db: string;
const children: ChildProcess[] = [];

interface Done {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (never rejects). */
function run(args: string[], env: Record<string, string> = {}): Promise<Done> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: repoRoot, env: { ...process.env, AGENTPULSE_URL: '', ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
const cli = (args: string[], env?: Record<string, string>): Promise<Done> => run([bin, '--db', db, ...args], env);
/** `node --import agentpulse/register plain-app.mjs` writing to the file, as a user's app would. */
const app = (spans: number): Promise<Done> =>
  run(['--import', 'agentpulse/register', join(repoRoot, 'test', 'fixtures', 'plain-app.mjs')], { AGENTPULSE_DB: db, SPANS: String(spans), OTEL_SERVICE_NAME: `app-${spans}` });

/** Starts a long-running process and resolves with it once its stdout matches `ready`. */
function startUntil(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray; stderr: () => string }> {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, AGENTPULSE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${out} ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m, stderr: () => err });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before ready: ${out} ${err}`)));
  });
}

async function sqlAt(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(new URL('/api/sql', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
  const body = (await res.json()) as { columns: string[]; rows: unknown[][] };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.rows.map((r) => (Array.isArray(r) ? Object.fromEntries(body.columns.map((c, i) => [c, r[i]])) : (r as Record<string, unknown>)));
}

const exited = (c: ChildProcess): Promise<number | null> => new Promise((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', (code) => resolve(code))));
const spoolSegments = (): string[] => (existsSync(`${db}.spool`) ? readdirSync(`${db}.spool`).filter((n) => n.endsWith('.ndjson')) : []);

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ap-holder-'));
  db = join(dir, 'agents.duckdb');
}, 120_000);
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the process that holds the DB file serves the others', () => {
  it('dashboard, then analyze, then a preloaded app on the same file: all go through the dashboard, nothing lost', async () => {
    const first = await app(20); // 40 spans: the file exists with data
    expect(first.code, first.stderr).toBe(0);

    const dash = await startUntil([bin, '--db', db, 'dashboard', '--port', '0'], /dashboard on (http:\/\/127\.0\.0\.1:\d+)\//);
    const url = dash.match[1]!;
    const advert = JSON.parse(readFileSync(lockHolderPath(db), 'utf8')) as { pid: number; url: string; command: string };
    expect(advert).toMatchObject({ pid: dash.child.pid, url, command: 'agentpulse dashboard' });

    const analyze = await cli(['analyze', '--since', '1h', '--json']);
    expect(analyze.code, analyze.stderr).toBe(0);
    expect(analyze.stderr).toContain(`going through it at ${url}`);
    const report = JSON.parse(analyze.stdout) as { metrics: { count: number }[] };
    expect(report.metrics.reduce((n, m) => n + m.count, 0)).toBe(40);

    const sql = await cli(['sql', 'select count(*) as n from spans', '--json']);
    expect(sql.code, sql.stderr).toBe(0);
    expect(sql.stdout).toMatch(/"n":\s*40/);

    const second = await app(100); // 200 spans while the dashboard holds the file
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`spans go to it at ${url}`);
    expect(second.stderr).not.toMatch(/spooled/);
    // Through the dashboard's API at once (its routes wait for acknowledged spans): not left in a spool.
    expect(spoolSegments()).toEqual([]);
    const rows = await sqlAt(url, "select service_name, count(*) as n from spans group by service_name order by service_name");
    expect(rows.map((r) => [r.service_name, Number(r.n)])).toEqual([['app-100', 200], ['app-20', 40]]);

    dash.child.kill('SIGTERM');
    expect(await exited(dash.child)).toBe(0);
    expect(existsSync(lockHolderPath(db))).toBe(false);
    const after = await cli(['sql', 'select count(*) as n from spans', '--json']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/"n":\s*240/);
  }, 120_000);

  it('explains a file held by a process that serves nothing, naming it, without pointing at a port nobody listens on', async () => {
    const holder = await startUntil(['--input-type=module', '-e',
      `import { DuckDBInstance } from '@duckdb/node-api'; const i = await DuckDBInstance.create(${JSON.stringify(db)}); await i.connect(); console.log('locked'); setInterval(() => {}, 1000);`,
    ], /locked/);
    try {
      for (const args of [['analyze', '--since', '1h'], ['sql', 'select 1'], ['dashboard', '--port', '0'], ['top', '--once']]) {
        const r = await cli(args, { AGENTPULSE_LOCK_WAIT_MS: '300' });
        expect(r.code, args.join(' ')).not.toBe(0);
        const line = r.stderr.trim().split('\n').pop()!;
        expect(line, args.join(' ')).toMatch(new RegExp(`locked by PID ${holder.child.pid}`));
        expect(line).toContain(`agentpulse --db ${db} dashboard`);
        expect(line).not.toMatch(/4318|\n\s+at /);
      }
    } finally {
      holder.child.kill('SIGKILL');
      await exited(holder.child);
    }
  }, 120_000);

  it('waits for a file held briefly (an embedded writer about to close it) instead of failing', async () => {
    // The holder lets go only once the command has said it is waiting (a marker file), so the test
    // does not depend on how fast the command starts on a busy machine.
    const release = join(dir, 'release-brief-holder');
    const holder = await startUntil(['--input-type=module', '-e',
      `import { existsSync } from 'node:fs'; import { DuckDBInstance } from '@duckdb/node-api'; const i = await DuckDBInstance.create(${JSON.stringify(db)}); const c = await i.connect(); console.log('locked'); const t = setInterval(() => { if (existsSync(${JSON.stringify(release)})) { clearInterval(t); c.closeSync(); i.closeSync(); } }, 50);`,
    ], /locked/);
    const sql = spawn(process.execPath, [bin, '--db', db, 'sql', 'select count(*) as n from spans', '--json'], { cwd: repoRoot, env: { ...process.env, AGENTPULSE_URL: '', AGENTPULSE_LOCK_WAIT_MS: '30000' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(sql);
    let stdout = '';
    let stderr = '';
    sql.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    sql.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/waiting up to \d+ s/.test(stderr)) writeFileSync(release, '');
    });
    const code = await new Promise<number | null>((resolve) => sql.on('exit', (c) => resolve(c)));
    const r = { code, stdout, stderr };
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/waiting up to \d+ s/);
    expect(r.stdout).toMatch(/"n":\s*240/);
    await exited(holder.child);
  }, 60_000);

  it('ignores and removes an advert whose process is gone', async () => {
    const gone = spawn(process.execPath, ['-e', '0']);
    await exited(gone);
    writeFileSync(lockHolderPath(db), JSON.stringify({ pid: gone.pid, url: 'http://127.0.0.1:9', command: 'agentpulse dashboard', db, started_at: '' }));
    const r = await cli(['sql', 'select count(*) as n from spans', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"n":\s*240/);
    expect(existsSync(lockHolderPath(db))).toBe(false);
  }, 60_000);
});
